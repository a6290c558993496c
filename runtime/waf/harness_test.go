package waf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/waf"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// backend is a real upstream HTTP server on 127.0.0.1 that answers with its name and
// records what it received.
type backend struct {
	name    string
	server  *httptest.Server
	mu      sync.Mutex
	seen    []*http.Request
	bodies  []string
	healthy bool
}

func startBackend(t testing.TB, name string) *backend {
	t.Helper()
	b := &backend{name: name, healthy: true}
	b.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		defer b.mu.Unlock()
		if r.URL.Path == "/health" {
			if !b.healthy {
				w.WriteHeader(http.StatusInternalServerError)
			}
			return
		}
		b.seen = append(b.seen, r)
		b.bodies = append(b.bodies, string(body))
		fmt.Fprint(w, b.name)
	}))
	t.Cleanup(b.server.Close)
	return b
}

func (b *backend) address() string { return strings.TrimPrefix(b.server.URL, "http://") }

func (b *backend) setHealthy(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.healthy = ok
}

func (b *backend) requests() []*http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*http.Request(nil), b.seen...)
}

func (b *backend) lastBody() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.bodies) == 0 {
		return ""
	}
	return b.bodies[len(b.bodies)-1]
}

// deadAddress is a loopback address nothing listens on.
func deadAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := l.Addr().String()
	l.Close()
	return address
}

// testWAF is a real WAF server started in-process.
type testWAF struct {
	*waf.Server
	configPath string
	logs       *syncBuffer
	url        string
	adminURL   string
}

// syncBuffer is a log sink tests read while the server writes.
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

// writeConfig writes cfg as the JSON file the runtime loads. listen.http is a placeholder
// (validation wants a port): tests hand the server a listener on 127.0.0.1:0.
func writeConfig(t testing.TB, path string, cfg config.Config) {
	t.Helper()
	if cfg.Listen.HTTP == 0 {
		cfg.Listen.HTTP = 1
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func startWAF(t testing.TB, cfg config.Config) *testWAF {
	t.Helper()
	path := filepath.Join(t.TempDir(), "waf.json")
	writeConfig(t, path, cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := waf.New(waf.Options{
		ConfigPath:   path,
		AdminListen:  "127.0.0.1:0",
		HTTPListener: l,
		Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
		LogWriter:    logs,
	})
	if err != nil {
		l.Close()
		t.Fatalf("waf.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return &testWAF{
		Server:     srv,
		configPath: path,
		logs:       logs,
		url:        "http://" + srv.HTTPAddr().String(),
		adminURL:   "http://" + srv.AdminAddr().String(),
	}
}

// simpleConfig is one default site in the given mode over a pool of the given members.
func simpleConfig(mode string, members ...string) config.Config {
	pool := config.Pool{Name: "app"}
	for _, m := range members {
		pool.Members = append(pool.Members, config.Member{Address: m})
	}
	return config.Config{
		Pools: []config.Pool{pool},
		Sites: []config.Site{{Name: "main", Pool: "app", Policy: &config.Policy{Mode: mode}}},
	}
}

var client = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{Proxy: nil},
}

type response struct {
	status int
	body   string
	header http.Header
}

// get sends GET target (path and raw query) with the given Host header.
func (w *testWAF) get(t *testing.T, host, target string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.url+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: string(body), header: resp.Header}
}

func (w *testWAF) status(t *testing.T) admin.Status {
	t.Helper()
	resp := do(t, mustRequest(t, http.MethodGet, w.adminURL+"/status"))
	if resp.status != http.StatusOK {
		t.Fatalf("GET /status = %d", resp.status)
	}
	var st admin.Status
	if err := json.Unmarshal([]byte(resp.body), &st); err != nil {
		t.Fatalf("decode /status: %v\n%s", err, resp.body)
	}
	return st
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// waitFor polls cond (bounded) for state that changes on its own schedule.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
