package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
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
// if this harness dies, so an interrupted run leaves nothing behind. GATEWAY_* variables
// are left out of its environment: they would override the configuration under test.
func startProcess(name, logPath, bin string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
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

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM (Squid then stops its helpers) and kills the process if it has not
// exited within the grace period.
func (p *process) stop() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.log.Close()
}

// waitReady polls ready until it succeeds, the process exits, or timeout passes. The
// poll is bounded in count by the timeout and the interval.
func (p *process) waitReady(what string, timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before %s (%v); see %s", p.name, what, p.err, p.log.Name())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no %s after %s: %v; see %s", p.name, what, timeout, err, p.log.Name())
		}
	}
}

// httpOK is a readiness check: GET url answers 200.
func httpOK(url string) func() error {
	client := &http.Client{Timeout: time.Second}
	return func() error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

// accepting is a readiness check: every address accepts TCP connections.
func accepting(addrs ...string) func() error {
	return func() error {
		for _, a := range addrs {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				return err
			}
			c.Close()
		}
		return nil
	}
}

// ensurePortFree fails with a clear message when something already listens on addr, so
// that the harness never measures a server it did not start.
func ensurePortFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %s is busy: stop what listens there (ss -ltnp | grep %s) or run again (ports are picked afresh)", addr, addr)
		}
		return fmt.Errorf("check port %s: %w", addr, err)
	}
	return ln.Close()
}

// processes is every process this harness started and has not stopped yet, so that an
// error or an interrupt stops exactly those, by PID, and nothing else.
type processes struct {
	mu      sync.Mutex
	running []*process
	started []*process // every process ever started, stopped or not
}

func (ps *processes) start(name, logPath, bin string, args ...string) (*process, error) {
	p, err := startProcess(name, logPath, bin, args...)
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	ps.running = append(ps.running, p)
	ps.started = append(ps.started, p)
	ps.mu.Unlock()
	return p, nil
}

// stop stops p (if it still runs) and forgets it.
func (ps *processes) stop(p *process) {
	ps.mu.Lock()
	for i, q := range ps.running {
		if q == p {
			ps.running = append(ps.running[:i], ps.running[i+1:]...)
			break
		}
	}
	ps.mu.Unlock()
	p.stop()
}

// stopAll stops every process still running, the most recently started first.
func (ps *processes) stopAll() {
	ps.mu.Lock()
	running := ps.running
	ps.running = nil
	ps.mu.Unlock()
	for i := len(running) - 1; i >= 0; i-- {
		running[i].stop()
	}
}
