package daemon

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// process is a runtime that records what Main asks of it.
type process struct {
	startErr error
	reloads  atomic.Int32
	waiting  chan struct{} // closed when Wait is called: signals are handled from then on
}

func (p *process) Start() error  { return p.startErr }
func (p *process) Reload() error { p.reloads.Add(1); return nil }
func (p *process) Wait(ctx context.Context) error {
	close(p.waiting)
	<-ctx.Done()
	return nil
}

func testProgram(p *process) Program {
	return Program{
		Name:      "rampart-test",
		Kind:      "test",
		Usage:     "Usage: rampart-test -config PATH\n",
		CheckHelp: "validate and exit",
		Check: func(path string) error {
			if filepath.Base(path) == "bad.json" {
				return errors.New("listen.port: 70000 is out of range")
			}
			return nil
		},
		New: func(string, *slog.Logger) (Process, error) { return p, nil },
	}
}

func TestMainFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"version", []string{"-version"}, 0, "rampart-test 0.1.0", ""},
		{"help teaches", []string{"-help"}, 0, "", "Usage: rampart-test -config PATH"},
		{"config required", nil, 2, "", "rampart-test: -config PATH is required"},
		{"unknown flag", []string{"-nope"}, 2, "", "flag provided but not defined: -nope"},
		{"check valid", []string{"-config", "good.json", "-check"}, 0, "configuration is valid: good.json", ""},
		{"check invalid", []string{"-config", "bad.json", "-check"}, 1, "", "rampart-test: listen.port: 70000 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := testProgram(&process{}).Main(tt.args, Streams{Out: &out, Err: &errOut})
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr: %s)", code, tt.code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.out)
			}
			if !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tt.err)
			}
		})
	}
}

func TestMainStartFailureIsReadable(t *testing.T) {
	var errOut bytes.Buffer
	p := &process{startErr: errors.New("listen tcp 127.0.0.1:80: bind: permission denied"), waiting: make(chan struct{})}
	code := testProgram(p).Main([]string{"-config", "good.json"}, Streams{Out: &bytes.Buffer{}, Err: &errOut})
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	// Once as a JSON log line, once plainly for a human.
	if !strings.Contains(errOut.String(), "\nrampart-test: listen tcp 127.0.0.1:80: bind: permission denied\n") {
		t.Errorf("stderr lacks the plain error line:\n%s", errOut.String())
	}
}

// TestMainReloadsOnSIGHUPAndStopsOnSIGTERM sends the signals to the test process itself;
// Main has them handled by then (Wait is only called after both handlers are in place).
func TestMainReloadsOnSIGHUPAndStopsOnSIGTERM(t *testing.T) {
	p := &process{waiting: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		done <- testProgram(p).Main([]string{"-config", "good.json"}, Streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	}()
	select {
	case <-p.waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("Main never started the process")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.reloads.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code after SIGTERM %d, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop Main")
	}
}

// TestHealthcheck: -healthcheck is a container's health check: exit 0 while the admin API
// answers /healthz with 200, 1 otherwise. The address comes from the configuration file
// or from the environment variable that overrides it.
func TestHealthcheck(t *testing.T) {
	healthy := atomic.Bool{}
	healthy.Store(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})}
	go server.Serve(ln)
	t.Cleanup(func() { server.Close() })

	dir := t.TempDir()
	configPath := filepath.Join(dir, "gateway.json")
	config := `{"listen": {"proxy": 18080, "cache": 18081}, "admin": {"listen": "` + ln.Addr().String() + `"}}`
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	program := testProgram(&process{})
	program.Appliance, program.AdminEnv = "gateway", "RAMPART_TEST_ADMIN_LISTEN"
	run := func() (int, string) {
		var errOut bytes.Buffer
		code := program.Main([]string{"-config", configPath, "-healthcheck"}, Streams{Out: &bytes.Buffer{}, Err: &errOut})
		return code, errOut.String()
	}

	if code, stderr := run(); code != 0 {
		t.Fatalf("healthy runtime: exit %d, want 0 (%s)", code, stderr)
	}
	healthy.Store(false)
	if code, stderr := run(); code != 1 || !strings.Contains(stderr, "503") {
		t.Fatalf("unhealthy runtime: exit %d (%q), want 1 naming the 503", code, stderr)
	}
	// The environment wins over the file: here it points where nothing listens.
	t.Setenv("RAMPART_TEST_ADMIN_LISTEN", "unix:"+filepath.Join(dir, "nothing.sock"))
	healthy.Store(true)
	if code, stderr := run(); code != 1 || !strings.Contains(stderr, "nothing.sock") {
		t.Fatalf("admin address from the environment: exit %d (%q), want 1 naming nothing.sock", code, stderr)
	}
}
