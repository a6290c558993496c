package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// binary is rampart-gateway built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rampart-gateway-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "rampart-gateway")
	build := exec.Command("go", "build", "-trimpath", "-o", binary, "github.com/rampart-sec/rampart/cmd/rampart-gateway")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rampart-gateway: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gatewayProcess is a running rampart-gateway binary.
type gatewayProcess struct {
	cmd        *exec.Cmd
	configPath string
	proxy      string // host:port
	admin      string
	logs       *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startGateway writes cfg (its listen and admin settings filled with free ports) and
// runs the binary until the test ends, waiting for /healthz.
func startGateway(t testing.TB, cfg map[string]any) *gatewayProcess {
	t.Helper()
	dir := t.TempDir()
	proxyPort, cachePort, adminPort := freeport.Port(t), freeport.Port(t), freeport.Port(t)
	cfg["listen"] = map[string]any{"address": "127.0.0.1", "proxy": proxyPort, "cache": cachePort}
	cfg["admin"] = map[string]any{"listen": "127.0.0.1:" + strconv.Itoa(adminPort)}
	g := &gatewayProcess{
		configPath: filepath.Join(dir, "gateway.json"),
		proxy:      "127.0.0.1:" + strconv.Itoa(proxyPort),
		admin:      "127.0.0.1:" + strconv.Itoa(adminPort),
		logs:       &syncBuffer{},
	}
	g.writeConfig(t, cfg)
	g.cmd = exec.Command(binary, "-config", g.configPath)
	g.cmd.Stdout, g.cmd.Stderr = g.logs, g.logs
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			g.cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + g.admin + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("rampart-gateway not healthy after 15s; its log:\n%s", g.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (g *gatewayProcess) writeConfig(t testing.TB, cfg map[string]any) {
	t.Helper()
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.configPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// status is GET /status, decoded.
type status struct {
	ConfigGeneration uint64 `json:"config_generation"`
	Facts            []struct{ Name, Value string }
	Details          struct {
		UniqueClientIPs int   `json:"unique_client_ips_60m"`
		Tunnels         int64 `json:"tunnels"`
		Domains         []struct {
			Domain   string
			Requests uint64
		}
	}
}

func (g *gatewayProcess) status(t testing.TB) status {
	t.Helper()
	resp, err := http.Get("http://" + g.admin + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st status
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("status: %v\n%s", err, data)
	}
	return st
}

func (st status) fact(name string) string {
	for _, f := range st.Facts {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// listenLoopback listens on a free loopback port below the ephemeral range (a random
// ephemeral port could be one the gateway reserves).
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(freeport.Port(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
