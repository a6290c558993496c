// Package clirun builds the binaries an example's end-to-end test needs and runs the
// real rampart CLI in the example's working copy. Only tests import it.
package clirun

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BinDir holds the binaries Main built, side by side, so that rampart finds its plugins
// and each provider its runtime.
var BinDir string

// Main is a whole TestMain: it builds pkgs (static, as users get them) into a temporary
// directory, runs the tests and removes the binaries.
func Main(m *testing.M, pkgs ...string) {
	dir, err := os.MkdirTemp("", "rampart-example-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	BinDir = dir
	build := exec.Command("go", append([]string{"build", "-trimpath", "-o", dir + "/"}, pkgs...)...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build binaries: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// CLI runs rampart in one working directory.
type CLI struct {
	T   testing.TB
	Dir string
}

// Run runs the real rampart binary and returns its exit code and combined output.
func (c CLI) Run(args ...string) (int, string) {
	c.T.Helper()
	cmd := exec.Command(filepath.Join(BinDir, "rampart"), append([]string{"-chdir=" + c.Dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	case err != nil:
		c.T.Fatalf("run rampart %v: %v", args, err)
	}
	return 0, out.String()
}

// Must is Run for a command that has to succeed.
func (c CLI) Must(args ...string) string {
	c.T.Helper()
	code, out := c.Run(args...)
	if code != 0 {
		c.T.Fatalf("rampart %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}
