// Package servicelab starts real services from Debian packages on 127.0.0.1 for tests: each
// with its own configuration under t.TempDir(), on a free port, as a child process of the
// test (never through systemd), stopped by PID in t.Cleanup.
//
// A missing program fails the test with the apt-get line that installs it; it is skipped
// only when RAMPART_SKIP_<COMPONENT>=1 (for example RAMPART_SKIP_REDIS=1).
package servicelab

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// readyTimeout bounds how long a service may take to accept connections.
const readyTimeout = 20 * time.Second

// need returns the path of program, or fails (or skips) the test saying how to install it.
func need(t testing.TB, component, program, aptPackage string) string {
	t.Helper()
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		path := filepath.Join(dir, program)
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	if path, err := exec.LookPath(program); err == nil {
		return path
	}
	if os.Getenv("RAMPART_SKIP_"+component) == "1" {
		t.Skipf("%s not installed and RAMPART_SKIP_%s=1", program, component)
	}
	t.Fatalf("%s is not installed: run `apt-get install -y %s` (or set RAMPART_SKIP_%s=1 to skip)", program, aptPackage, component)
	return ""
}

// start runs cmd, waits until port accepts connections, and stops it by PID at cleanup.
func start(t testing.TB, name string, cmd *exec.Cmd, port int, logPath string) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true // its workers share a group we can end with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// SIGTERM lets nginx and postgres stop their workers; whatever is left of the
		// group we started goes with SIGKILL.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		logFile.Close()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited before accepting connections (%v); its log:\n%s", name, err, readLog(logPath))
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond) // polling a readiness check, bounded by deadline
	}
	t.Fatalf("%s did not accept connections on %s within %s; its log:\n%s", name, addr, readyTimeout, readLog(logPath))
}

func readLog(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// writeFile writes a file the test needs, failing the test on error.
func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// run runs a setup command (ssh-keygen, openssl, initdb) and fails the test with its output.
func run(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// Addr is the loopback address of a service port.
func Addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func port(t testing.TB) int { return freeport.Port(t) }

func describe(name string, port int) string { return fmt.Sprintf("%s on %s", name, Addr(port)) }
