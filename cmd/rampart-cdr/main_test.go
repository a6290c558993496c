package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const pcaps = "../../../shared/data/pcaps"

// binary is rampart-cdr built once for the tests that run it as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rampart-cdr-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "rampart-cdr")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// `rampart-cdr replay` on the shared captures prints the expected findings and a summary
// ending "N packets decoded, M truncated, K findings".
func TestReplayCommand(t *testing.T) {
	scanConfig := filepath.Join(t.TempDir(), "scan5.json")
	if err := os.WriteFile(scanConfig, []byte(`{"detections": {"scan": {"threshold": 5}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, config string
		summary      string
		types        []string
	}{
		{file: "aws-mirror-vxlan.pcap", summary: "100 packets decoded, 0 truncated, 0 findings"},
		{file: "port-scan.pcap", config: scanConfig, summary: "10 packets decoded, 0 truncated, 1 findings", types: []string{"port_scan"}},
		{file: "stratum-bitcoin-mining.pcap", summary: "188 packets decoded, 0 truncated, 8 findings", types: []string{"coin_miner"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			args := []string{"replay"}
			if tc.config != "" {
				args = append(args, "-config", tc.config)
			}
			stdout, stderr, code := runBinary(t, append(args, filepath.Join(pcaps, tc.file))...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if last := lines[len(lines)-1]; !strings.HasSuffix(last, tc.summary) {
				t.Errorf("summary %q, want it to end %q", last, tc.summary)
			}
			types := map[string]bool{}
			for _, line := range lines[:len(lines)-1] {
				var f struct{ Type, Source string }
				if err := json.Unmarshal([]byte(line), &f); err != nil {
					t.Fatalf("finding line %q: %v", line, err)
				}
				types[f.Type] = true
			}
			for _, want := range tc.types {
				if !types[want] {
					t.Errorf("no %s finding in:\n%s", want, stdout)
				}
			}
		})
	}
}

func TestUsageAndCheck(t *testing.T) {
	_, stderr, code := runBinary(t)
	if code != 2 || !strings.Contains(stderr, "-config PATH is required") || !strings.Contains(stderr, "rampart-cdr replay") {
		t.Errorf("no arguments: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runBinary(t, "replay")
	if code != 2 || !strings.Contains(stderr, "name at least one capture file") {
		t.Errorf("replay without a file: exit %d, stderr %q", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"listen": {"address": "localhost"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runBinary(t, "-config", bad, "-check")
	if code != 1 || !strings.Contains(stderr, "listen.address") {
		t.Errorf("-check on a bad file: exit %d, stderr %q", code, stderr)
	}
	good := filepath.Join(t.TempDir(), "good.json")
	if err := os.WriteFile(good, []byte(`{"listen": {"address": "0.0.0.0", "health": 4790}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code := runBinary(t, "-config", good, "-check"); code != 0 || !strings.Contains(stdout, "configuration is valid") {
		t.Errorf("-check on a good file: exit %d, %s %s", code, stdout, stderr)
	}
}
