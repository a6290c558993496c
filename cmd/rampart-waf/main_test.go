package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/rampart-sec/rampart/internal/freeport"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the real rampart-waf, statically as it ships.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rampart-waf")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a free loopback port outside the ephemeral range (see internal/freeport).
func freePort(t *testing.T) int { return freeport.Port(t) }

// shortTempDir keeps unix socket paths under the ~100 byte limit.
func shortTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "waf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func writeConfig(t *testing.T, path string, httpPort int, backend, mode string) string {
	t.Helper()
	cfg := fmt.Sprintf(`{
  "listen": {"address": "127.0.0.1", "http": %d},
  "server_pool": [{"name": "app", "member": [{"address": %q}]}],
  "site": [{"name": "main", "pool": "app", "policy": {"mode": %q}}]
}
`, httpPort, backend, mode)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(cfg))
	return hex.EncodeToString(sum[:])
}

// lockedBuffer collects the process's stderr while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running rampart-waf the test started; it is killed at cleanup if needed.
type process struct {
	cmd     *exec.Cmd
	stderr  *lockedBuffer
	exited  chan struct{} // closed when the process has exited
	exitErr error         // set before exited is closed
}

func startProcess(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	p.cmd.Env = append(os.Environ(), env...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *process) waitExit(t *testing.T) error {
	t.Helper()
	select {
	case <-p.exited:
		return p.exitErr
	case <-time.After(15 * time.Second):
		t.Fatalf("rampart-waf did not exit; stderr:\n%s", p.stderr)
		return nil
	}
}

func unixClient(socket string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
}

func get(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// poll retries cond until it holds, the process exits, or 10 s pass.
func poll(t *testing.T, p *process, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case <-p.exited:
			t.Fatalf("rampart-waf exited (%v) while waiting for %s; stderr:\n%s", p.exitErr, what, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stderr:\n%s", what, p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBinaryServesReloadsAndStops(t *testing.T) {
	bin := buildBinary(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "backend") }))
	t.Cleanup(backend.Close)

	dir := shortTempDir(t)
	configPath := filepath.Join(dir, "waf.json")
	socket := filepath.Join(dir, "admin.sock")
	port := freePort(t)
	firstSHA := writeConfig(t, configPath, port, strings.TrimPrefix(backend.URL, "http://"), "block")

	p := startProcess(t, bin, []string{"WAF_ADMIN_LISTEN=unix:" + socket}, "-config", configPath)
	adminClient := unixClient(socket)
	poll(t, p, "/healthz to answer 200", func() bool {
		code, _, err := get(adminClient, "http://admin/healthz")
		return err == nil && code == http.StatusOK
	})

	traffic := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if code, body, err := get(traffic, base+"/"); err != nil || code != http.StatusOK || body != "backend" {
		t.Fatalf("benign request: %d %q %v", code, body, err)
	}
	if code, _, err := get(traffic, base+"/?q=%3Cscript%3E"); err != nil || code != http.StatusForbidden {
		t.Fatalf("attack: %d %v, want 403", code, err)
	}

	status := func() (sha string, generation float64) {
		_, body, err := get(adminClient, "http://admin/status")
		if err != nil {
			return "", 0
		}
		var st map[string]any
		if json.Unmarshal([]byte(body), &st) != nil {
			return "", 0
		}
		sha, _ = st["config_sha256"].(string)
		generation, _ = st["config_generation"].(float64)
		return sha, generation
	}
	if sha, gen := status(); sha != firstSHA || gen != 1 {
		t.Fatalf("status: sha %s generation %v, want %s and 1", sha, gen, firstSHA)
	}

	secondSHA := writeConfig(t, configPath, port, strings.TrimPrefix(backend.URL, "http://"), "detect")
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	poll(t, p, "config_sha256 to change after SIGHUP", func() bool {
		sha, _ := status()
		return sha == secondSHA
	})
	if code, _, err := get(traffic, base+"/?q=%3Cscript%3E"); err != nil || code != http.StatusOK {
		t.Errorf("after reload to detect mode: %d %v, want 200", code, err)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.waitExit(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, p.stderr)
	}
	logs := p.stderr.String()
	for _, want := range []string{`"msg":"rampart-waf started"`, `"msg":"configuration reloaded"`, `"msg":"rampart-waf stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	if _, err := os.Stat(socket); !os.IsNotExist(err) {
		t.Errorf("the admin socket is left behind after exit: %v", err)
	}
}

func TestBinaryFlags(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.json")
	writeConfig(t, valid, 8080, "127.0.0.1:9", "block")
	invalid := filepath.Join(dir, "invalid.json")
	if err := os.WriteFile(invalid, []byte(`{"listen": {"http": 8080}, "site": []}`), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		exitCode int
		output   string
	}{
		{"version", []string{"-version"}, 0, "rampart-waf "},
		{"check valid", []string{"-check", "-config", valid}, 0, "configuration is valid"},
		{"check invalid", []string{"-check", "-config", invalid}, 1, "declare at least one site"},
		{"missing config", nil, 2, "-config PATH is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(bin, tt.args...).CombinedOutput()
			code := 0
			if exitErr, ok := err.(*exec.ExitError); ok {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.exitCode || !strings.Contains(string(out), tt.output) {
				t.Errorf("exit %d output %q, want exit %d containing %q", code, out, tt.exitCode, tt.output)
			}
		})
	}
}

func TestBinaryPortInUse(t *testing.T) {
	bin := buildBinary(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := shortTempDir(t)
	configPath := filepath.Join(dir, "waf.json")
	writeConfig(t, configPath, taken.Addr().(*net.TCPAddr).Port, "127.0.0.1:9", "block")

	p := startProcess(t, bin, []string{"WAF_ADMIN_LISTEN=unix:" + filepath.Join(dir, "admin.sock")}, "-config", configPath)
	err = p.waitExit(t)
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() == 0 {
		t.Fatalf("exit = %v, want a non-zero exit code", err)
	}
	if !strings.Contains(p.stderr.String(), "address already in use") {
		t.Errorf("stderr does not say the port is in use:\n%s", p.stderr)
	}
}
