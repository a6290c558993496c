package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildOut  []byte
)

// cdrBinary builds cmd/rampart-cdr once per test run: these tests drive the real sensor.
func cdrBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sidebyside-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "rampart-cdr")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/rampart-cdr")
		cmd.Dir = "../../.." // the repository root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build rampart-cdr (go build ./cmd/rampart-cdr): %v\n%s", buildErr, buildOut)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// The replay measurement runs the real rampart-cdr over a generated scan and checks what it
// says it read; the scan's four scanners are found.
func TestRampartReplayOfTheScan(t *testing.T) {
	bin := cdrBinary(t)
	captures, err := generateCaptures(t.TempDir(), 20_000, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	r := &rampartReplay{bin: bin, workDir: t.TempDir()}
	for _, c := range captures[:2] { // plain and VXLAN
		run, err := r.replay(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		if run.Packets != c.Packets || run.CPU <= 0 {
			t.Errorf("%s: rampart-cdr read %d packets with %s CPU; want %d and some CPU", c.Case, run.Packets, run.CPU, c.Packets)
		}
		if run.Detections != scanners {
			t.Errorf("%s: %d findings, want one port scan per scanner (%d)", c.Case, run.Detections, scanners)
		}
	}
}

// The UDP ingest measurement against the real sensor: every datagram sent at a modest rate
// arrives (loopback, a 32 MiB socket buffer), and /status counts it.
func TestIngestIntoARunningSensor(t *testing.T) {
	bin := cdrBinary(t)
	payloads, err := vxlanScanPayloads(20_000)
	if err != nil {
		t.Fatal(err)
	}
	r, err := measureIngest(t.Context(), bin, t.TempDir(), payloads, 50_000, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != len(payloads) || r.Received != uint64(r.Sent) || r.Lost() != 0 {
		t.Fatalf("sent %d of %d, sensor received %d (kernel drops %d); want all", r.Sent, len(payloads), r.Received, r.KernelDrops)
	}
	if r.Findings == 0 {
		t.Error("no finding from the scan sent over VXLAN; want the port scans")
	}
}
