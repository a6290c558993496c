package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a server this harness started. It is stopped by its PID only.
type process struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	log    *os.File      // stdout and stderr
}

// startProcess starts bin with args, its output going to logPath. The child gets SIGTERM
// if this harness dies, so an interrupted run leaves nothing behind. The environment is
// this one without WAF_* variables, which would override the configuration under test.
func startProcess(name, logPath, bin string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = environWithout("WAF_")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	p := &process{name: name, cmd: cmd, exited: make(chan struct{}), log: logFile}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// pid is the process id, for /proc CPU accounting.
func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks the process to exit (SIGTERM; nginx's master then stops its workers) and
// kills it if it has not exited within the grace period.
func (p *process) stop() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.log.Close()
}

// waitHTTP polls url until it answers any HTTP response, the process exits, or timeout
// passes. The poll is bounded in count by the timeout and the interval.
func (p *process) waitHTTP(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("readiness URL of %s: %w", p.name, err)
		}
		req.Host = benchHost
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready (%v); see %s", p.name, p.err, p.log.Name())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not answering on %s after %s: %v; see %s", p.name, url, timeout, err, p.log.Name())
		}
	}
}

// ensurePortFree fails with a clear message when something already listens on addr, so
// that the harness never measures a server it did not start.
func ensurePortFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %s is busy: stop what listens there (ss -ltnp | grep %s) or choose other ports with -base-port", addr, addr)
		}
		return fmt.Errorf("check port %s: %w", addr, err)
	}
	return ln.Close()
}
