package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// timedRun is one run of a program over a capture file.
type timedRun struct {
	CPU    time.Duration // user + system time of the process, all its threads
	Wall   time.Duration
	Stdout []byte
}

// runTimed runs bin with args and env to completion (bounded by timeout) and returns its
// CPU time from the kernel's accounting of the child (rusage), which, unlike wall time,
// does not grow when other work shares the cores.
func runTimed(ctx context.Context, timeout time.Duration, env []string, logPath, bin string, args ...string) (timedRun, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	logFile, err := os.Create(logPath)
	if err != nil {
		return timedRun{}, fmt.Errorf("run %s: %w", bin, err)
	}
	defer logFile.Close()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &stdout, logFile
	// The child dies with the harness, so an interrupted run leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	err = cmd.Run()
	run := timedRun{Wall: time.Since(start), Stdout: stdout.Bytes()}
	if cmd.ProcessState != nil {
		run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return run, fmt.Errorf("%s did not finish within %s; see %s", bin, timeout, logPath)
		}
		return run, fmt.Errorf("%s: %w; see %s", bin, err, logPath)
	}
	return run, nil
}
