package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// rampartCLI runs the rampart binary in one working directory, the way a user would:
// RAMPART_PLUGIN_PATH points at the directory holding rampart-provider-docker, which
// finds rampart-waf next to itself.
type rampartCLI struct {
	binDir string // rampart, rampart-provider-docker and rampart-waf
	dir    string // the working directory: main.hcl, lock file, state
	logDir string // one log file per command
}

// cliRun is the outcome of one command.
type cliRun struct {
	Elapsed time.Duration // wall time from start to exit, as the user waits for it
	Code    int           // exit code
	Log     string        // file holding its combined output
}

// run runs `rampart args...` and times it. A non-zero exit is not an error here: the
// caller decides (plan -detailed-exitcode exits 2 on changes). logName names the log
// file; extraEnv is added to the environment (RAMPART_CPU_PROFILE).
func (c *rampartCLI) run(ctx context.Context, logName string, extraEnv []string, args ...string) (cliRun, error) {
	logPath := filepath.Join(c.logDir, logName+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return cliRun{}, fmt.Errorf("rampart %s: %w", strings.Join(args, " "), err)
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "rampart"), append([]string{"-chdir=" + c.dir}, args...)...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(append(os.Environ(), "RAMPART_PLUGIN_PATH="+c.binDir, "NO_COLOR=1"), extraEnv...)
	// An interrupted benchmark stops rampart the way Ctrl-C would, so it saves state and
	// stops its plugin; if this driver dies, the kernel sends the same signal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return cliRun{Elapsed: elapsed, Code: exit.ExitCode(), Log: logPath}, nil
	case err != nil:
		return cliRun{}, fmt.Errorf("rampart %s: %w", strings.Join(args, " "), err)
	}
	return cliRun{Elapsed: elapsed, Log: logPath}, nil
}

// must runs a command that has to exit 0 and returns its wall time.
func (c *rampartCLI) must(ctx context.Context, logName string, args ...string) (time.Duration, error) {
	r, err := c.run(ctx, logName, nil, args...)
	if err != nil {
		return 0, err
	}
	if r.Code != 0 {
		return 0, fmt.Errorf("rampart %s exited %d:\n%s\n(full output in %s)", strings.Join(args, " "), r.Code, tail(r.Log, 30), r.Log)
	}
	return r.Elapsed, nil
}

// lineage reads the state's lineage from the local backend's file: every container
// rampart creates for this state carries it as the rampart.lineage label. Empty when
// there is no state yet.
func (c *rampartCLI) lineage() (string, error) {
	data, err := os.ReadFile(filepath.Join(c.dir, "rampart.state"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read state: %w", err)
	}
	var doc struct {
		Lineage string `json:"lineage"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("decode state %s: %w", filepath.Join(c.dir, "rampart.state"), err)
	}
	return doc.Lineage, nil
}

// tail returns the last n lines of a log file, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no output: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
