// Package benchproc starts and stops the programs a side-by-side benchmark harness runs
// (the systems it compares, their backends, load generators): each with its output in
// a log file, SIGTERM if the harness dies, stopped by its PID only, and tracked in a Set
// so that an error or an interrupt stops exactly what the harness started.
package benchproc

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a program a Set started.
type Process struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	log    *os.File      // stdout and stderr
	grace  time.Duration
}

// Name is what the harness called it, for messages.
func (p *Process) Name() string { return p.name }

// PID is its process id, for /proc accounting.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err is its exit status; valid once Exited is closed.
func (p *Process) Err() error { return p.err }

// LogPath is the file holding its stdout and stderr.
func (p *Process) LogPath() string { return p.log.Name() }

// stop asks the process to exit with SIGTERM (nginx's and Squid's masters then stop
// their workers) and kills it if it has not exited within its grace period.
func (p *Process) stop() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(p.grace):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.log.Close()
}

// WaitReady polls ready until it succeeds, the process exits, or timeout passes; what
// names what is waited for in the errors. The poll is bounded in count by the timeout
// and its interval.
func (p *Process) WaitReady(what string, timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before %s (%v); see %s", p.name, what, p.err, p.LogPath())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no %s after %s: %v; see %s", p.name, what, timeout, err, p.LogPath())
		}
	}
}

// Set is the processes a harness started and has not stopped yet. Its zero value starts
// processes with the harness's whole environment and a 5 s grace period.
type Set struct {
	// DropEnv, when set, is a prefix of environment variables the processes do not
	// inherit (a runtime's own variables would override the configuration under test).
	DropEnv string
	// Grace is how long Stop waits after SIGTERM before it kills; 0 means 5 s.
	Grace time.Duration

	mu      sync.Mutex
	running []*Process
	started []*Process // every process ever started, stopped or not
}

// Start starts bin with args, its output going to logPath. The child gets SIGTERM if the
// harness dies, so an interrupted run leaves nothing behind.
func (s *Set) Start(name, logPath, bin string, args ...string) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	for _, kv := range os.Environ() {
		if s.DropEnv == "" || !strings.HasPrefix(kv, s.DropEnv) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	grace := s.Grace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	p := &Process{name: name, cmd: cmd, exited: make(chan struct{}), log: logFile, grace: grace}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	s.mu.Lock()
	s.running = append(s.running, p)
	s.started = append(s.started, p)
	s.mu.Unlock()
	return p, nil
}

// Stop stops p (if it still runs) and forgets it.
func (s *Set) Stop(p *Process) {
	s.mu.Lock()
	for i, q := range s.running {
		if q == p {
			s.running = append(s.running[:i], s.running[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	p.stop()
}

// StopAll stops every process still running, the most recently started first.
func (s *Set) StopAll() {
	s.mu.Lock()
	running := s.running
	s.running = nil
	s.mu.Unlock()
	for i := len(running) - 1; i >= 0; i-- {
		running[i].stop()
	}
}

// Started lists every process the Set started, stopped or not.
func (s *Set) Started() []*Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Process(nil), s.started...)
}

// Running counts the processes started and not stopped yet.
func (s *Set) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running)
}

// HTTPAnswers is a readiness check: GET url, with host as its Host header when set,
// gets any HTTP response.
func HTTPAnswers(url, host string) func() error {
	client := &http.Client{Timeout: time.Second}
	return func() error {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if host != "" {
			req.Host = host
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
}

// HTTPOK is a readiness check: GET url answers 200.
func HTTPOK(url string) func() error {
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

// Accepting is a readiness check: every address accepts TCP connections.
func Accepting(addrs ...string) func() error {
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

// EnsurePortFree fails with a clear message when something already listens on addr, so
// that a harness never measures a server it did not start; remedy ends the message.
func EnsurePortFree(addr, remedy string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %s is busy: stop what listens there (ss -ltnp | grep %s) or %s", addr, addr, remedy)
		}
		return fmt.Errorf("check port %s: %w", addr, err)
	}
	return ln.Close()
}
