package command_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binDir holds the real binaries the CLI tests run: rampart, the local provider, the WAF
// runtime and the crashy test provider (which exits in the middle of Apply on request).
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "rampart-cli-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	builds := [][]string{
		{"-o", dir + "/", "github.com/rampart-sec/rampart/cmd/rampart", "github.com/rampart-sec/rampart/cmd/rampart-provider-local", "github.com/rampart-sec/rampart/cmd/rampart-waf"},
		{"-o", filepath.Join(dir, "rampart-provider-crashy"), "github.com/rampart-sec/rampart/engine/plugin/testdata/crashprovider"},
	}
	for _, args := range builds {
		cmd := exec.Command("go", append([]string{"build", "-trimpath"}, args...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %v: %v\n%s", args, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workdir writes files into a fresh configuration directory.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type result struct {
	code           int
	stdout, stderr string
}

// rampart runs the real CLI binary in dir.
func rampart(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "rampart"), append([]string{"-chdir=" + dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run rampart %v: %v", args, err)
	}
	return r
}

func mustRampart(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := rampart(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("rampart %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

var (
	pidPattern  = regexp.MustCompile(`pid \d+`)
	timePattern = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	idPattern   = regexp.MustCompile(`lock id [0-9a-f…]+`)
	sumPattern  = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	serialLine  = regexp.MustCompile(`lineage [0-9a-f]+`)
)

// normalize removes what differs between runs: directories, pids, times, ids.
func normalize(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$WORK")
	s = strings.ReplaceAll(s, binDir, "$BIN")
	if host, err := os.Hostname(); err == nil && host != "" {
		s = strings.ReplaceAll(s, host, "$HOST")
	}
	s = pidPattern.ReplaceAllLiteralString(s, "pid $PID")
	s = timePattern.ReplaceAllLiteralString(s, "$TIME")
	s = idPattern.ReplaceAllLiteralString(s, "lock id $ID")
	s = sumPattern.ReplaceAllLiteralString(s, "sha256:$SUM")
	s = serialLine.ReplaceAllLiteralString(s, "lineage $LINEAGE")
	return s
}

// golden compares got with testdata/errors/<name>.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "errors", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./command -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
