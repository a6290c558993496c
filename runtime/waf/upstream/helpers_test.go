package upstream

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func newTestPool(t testing.TB, cfg config.Pool, opts ...PoolOptions) *Pool {
	t.Helper()
	var o PoolOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	p, err := NewPool(cfg, o)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	return p
}

// startChecks starts p's health checks and stops them when the test ends.
func startChecks(t *testing.T, p *Pool) {
	t.Helper()
	stop := p.StartHealthChecks(nil, nil)
	t.Cleanup(stop)
}

// waitFor polls cond until it holds or a deadline passes; health checks run on their own
// schedule, so tests wait for the observable state rather than sleeping.
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

// testBackend is a real HTTP server on 127.0.0.1 that answers its name, or the status set
// with setStatus, and counts what it serves.
type testBackend struct {
	name     string
	server   *httptest.Server
	status   atomic.Int32
	served   atomic.Int64
	checks   atomic.Int64 // requests from the health checker
	lastPath atomic.Value
	method   atomic.Value
	open     atomic.Int64 // connections open now
	handler  atomic.Value // optional func(w, r) replacing the default answer
}

func startBackend(t *testing.T, name string) *testBackend {
	t.Helper()
	b := &testBackend{name: name}
	b.status.Store(http.StatusOK)
	b.server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.UserAgent() == "rampart-waf-healthcheck" {
			b.checks.Add(1)
			b.lastPath.Store(r.URL.Path)
			b.method.Store(r.Method)
			w.WriteHeader(int(b.status.Load()))
			return
		}
		b.served.Add(1)
		if h, ok := b.handler.Load().(func(http.ResponseWriter, *http.Request)); ok {
			h(w, r)
			return
		}
		w.WriteHeader(int(b.status.Load()))
		io.WriteString(w, name)
	}))
	b.server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			b.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			b.open.Add(-1)
		}
	}
	b.server.Start()
	t.Cleanup(b.server.Close)
	return b
}

func (b *testBackend) address() string { return strings.TrimPrefix(b.server.URL, "http://") }

// deadAddress is a loopback address nothing listens on (below the ephemeral range, so no
// client socket takes it meanwhile).
func deadAddress(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", freeport.Port(t))
}

// startFront serves p like the WAF's handler does: pick a member, 503 when none is up.
func startFront(t *testing.T, p *Pool) string {
	t.Helper()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := p.Pick(r)
		if m == nil {
			http.Error(w, "503 service unavailable: no healthy upstream server", http.StatusServiceUnavailable)
			return
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

type answer struct {
	status int
	body   string
}

func send(t *testing.T, client *http.Client, method, url string, body io.Reader) answer {
	t.Helper()
	a, err := try(client, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// try is send for goroutines, which must not call t.Fatal.
func try(client *http.Client, method, url string, body io.Reader) (answer, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return answer{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: read body: %w", method, url, err)
	}
	return answer{resp.StatusCode, string(data)}, nil
}

func members(addresses ...string) []config.Member {
	var ms []config.Member
	for _, a := range addresses {
		ms = append(ms, config.Member{Address: a, Weight: 1})
	}
	return ms
}

// requestFrom is a request from a client IP, as the server would see it.
func requestFrom(ip string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = net.JoinHostPort(ip, "40000")
	return r
}

func pickSequence(p *Pool, n int) []string {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	var seq []string
	for range n {
		m := p.Pick(r)
		if m == nil {
			seq = append(seq, "<none>")
			continue
		}
		seq = append(seq, m.Address)
	}
	return seq
}

func setUp(m *Member, up bool) { m.b.health.up.Store(up) }
