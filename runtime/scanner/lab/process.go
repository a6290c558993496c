package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Process is a service the lab started in a host's namespace.
type Process struct {
	Name string
	cmd  *exec.Cmd
	log  string
	done chan error
}

// StartOptions tune Start.
type StartOptions struct {
	Env []string
	// Ports are the TCP ports the service listens on: Start waits until each accepts a
	// connection from the root namespace, and records them as the host's open ports.
	Ports []uint16
}

// Start runs args inside the host's namespace (ip netns exec), in its own process group,
// with output to <host dir>/<name>.log, and waits until its ports accept connections.
func (h *Host) Start(ctx context.Context, name string, args []string, opts StartOptions) (*Process, error) {
	logPath := filepath.Join(h.Dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command("ip", append([]string{"netns", "exec", h.Namespace}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s on %s: %w", name, h.Name, err)
	}
	p := &Process{Name: h.Name + "/" + name, cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	h.lab.mu.Lock()
	h.lab.processes = append(h.lab.processes, p)
	h.lab.mu.Unlock()
	for _, port := range opts.Ports {
		if err := p.waitListening(ctx, netip.AddrPortFrom(h.Addr, port)); err != nil {
			return nil, err
		}
		h.Open = append(h.Open, port)
	}
	h.lab.logf("lab: %s started (pid %d, ports %v)", p.Name, cmd.Process.Pid, opts.Ports)
	return p, nil
}

// waitListening polls until addr accepts a TCP connection, the process exits, or 30 s pass.
func (p *Process) waitListening(ctx context.Context, addr netip.AddrPort) error {
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		conn, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited before listening on %s (%v): %s", p.Name, addr, err, p.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(20*time.Millisecond<<min(attempt, 4), 250*time.Millisecond)):
		}
	}
	return fmt.Errorf("%s does not listen on %s after 30 s: %s", p.Name, addr, p.tail())
}

// tail is the end of the process's log, for error messages.
func (p *Process) tail() string {
	data, _ := os.ReadFile(p.log)
	s := strings.TrimSpace(string(data))
	if len(s) > 800 {
		s = "..." + s[len(s)-800:]
	}
	return s
}

// Stop sends SIGTERM to the process group and SIGKILL after 5 s.
func (p *Process) Stop() error {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New(p.Name + " did not exit after SIGKILL")
	}
}
