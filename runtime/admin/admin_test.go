package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
)

// fakeRuntime is a minimal real Runtime: it counts reloads and can fail them.
type fakeRuntime struct {
	ready      atomic.Bool
	reloads    atomic.Int64
	failReload atomic.Bool
}

func (f *fakeRuntime) Ready() bool { return f.ready.Load() }
func (f *fakeRuntime) Status() Status {
	return Status{Kind: "test", Version: "1.2.3", ConfigSHA256: "abc", ConfigGeneration: uint64(1 + f.reloads.Load()),
		StartedAt: time.Unix(1700000000, 0).UTC(), Ready: f.Ready()}
}
func (f *fakeRuntime) WriteMetrics(m *MetricsWriter) {
	m.Family("test_things_total", "counter", "Things.")
	m.Sample("test_things_total", 3, "name", `quote" and \ backslash`)
}
func (f *fakeRuntime) Reload() error {
	if f.failReload.Load() {
		return errors.New("config is broken")
	}
	f.reloads.Add(1)
	return nil
}

func startAdmin(t *testing.T, address string, rt Runtime) *Server {
	t.Helper()
	s, err := Start(address, rt, logging.Discard())
	if err != nil {
		t.Fatalf("Start(%s): %v", address, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return s
}

func call(t *testing.T, c *http.Client, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestEndpointsOverTCP(t *testing.T) {
	rt := &fakeRuntime{}
	s := startAdmin(t, "127.0.0.1:0", rt)
	base := "http://" + s.Addr().String()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}

	if code, _ := call(t, c, "GET", base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz before ready = %d, want 503", code)
	}
	rt.ready.Store(true)
	if code, body := call(t, c, "GET", base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz when ready = %d %q, want 200 ok", code, body)
	}

	code, body := call(t, c, "GET", base+"/status")
	var st map[string]any
	if err := json.Unmarshal([]byte(body), &st); code != http.StatusOK || err != nil {
		t.Fatalf("/status = %d %v: %s", code, err, body)
	}
	for _, field := range []string{"kind", "version", "config_sha256", "config_generation", "started_at"} {
		if _, ok := st[field]; !ok {
			t.Errorf("/status lacks %q: %s", field, body)
		}
	}

	_, metrics := call(t, c, "GET", base+"/metrics")
	for _, want := range []string{
		`rampart_build_info{kind="test",version="1.2.3"} 1`,
		`rampart_config_generation{kind="test"} 1`,
		`rampart_ready{kind="test"} 1`,
		`test_things_total{name="quote\" and \\ backslash"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, metrics)
		}
	}

	if code, _ := call(t, c, "POST", base+"/reload"); code != http.StatusOK || rt.reloads.Load() != 1 {
		t.Errorf("POST /reload = %d after %d reloads, want 200 after 1", code, rt.reloads.Load())
	}
	rt.failReload.Store(true)
	if code, body := call(t, c, "POST", base+"/reload"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "config is broken") {
		t.Errorf("failed POST /reload = %d %s, want 422 with the error", code, body)
	}
	for _, mp := range [][2]string{{"POST", "/healthz"}, {"PUT", "/status"}, {"DELETE", "/metrics"}, {"GET", "/reload"}} {
		if code, _ := call(t, c, mp[0], base+mp[1]); code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d, want 405", mp[0], mp[1], code)
		}
	}
	if code, _ := call(t, c, "GET", base+"/nothing"); code != http.StatusNotFound {
		t.Errorf("GET /nothing = %d, want 404", code)
	}
}

func unixClient(path string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// socketPath is short: unix socket paths are limited to about 100 bytes and t.TempDir can
// be long.
func socketPath(t *testing.T) string {
	dir, err := os.MkdirTemp("", "adm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "admin.sock")
}

func TestUnixSocket(t *testing.T) {
	path := socketPath(t)
	rt := &fakeRuntime{}
	rt.ready.Store(true)
	startAdmin(t, "unix:"+path, rt)

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("socket mode = %o, want 600", mode)
	}
	if code, _ := call(t, unixClient(path), "GET", "http://admin/healthz"); code != http.StatusOK {
		t.Errorf("/healthz over the socket = %d", code)
	}
	if _, err := Start("unix:"+path, rt, logging.Discard()); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Start on a live socket: %v, want an in-use error", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := socketPath(t)
	// A socket file left behind by a process that died without cleaning up.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket should exist: %v", err)
	}

	rt := &fakeRuntime{}
	rt.ready.Store(true)
	startAdmin(t, "unix:"+path, rt)
	if code, _ := call(t, unixClient(path), "GET", "http://admin/healthz"); code != http.StatusOK {
		t.Errorf("/healthz over the replaced socket = %d", code)
	}
}

func TestListenRefusesToDeleteARegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-socket")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen("unix:" + path); err == nil {
		t.Fatal("Listen replaced a regular file")
	}
	if data, _ := os.ReadFile(path); string(data) != "precious" {
		t.Error("the regular file was modified")
	}
}

func TestListenPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Listen(l.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "another process holds the port") {
		t.Errorf("Listen on a taken port: %v, want an error saying what to do", err)
	}
}

func TestHistogramFormat(t *testing.T) {
	var out strings.Builder
	m := NewMetricsWriter(&out)
	m.Family("d_seconds", "histogram", "Durations.")
	m.Histogram("d_seconds", []float64{0.1, 1}, []uint64{2, 3}, 1.5, 4, "site", "a")
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `# HELP d_seconds Durations.
# TYPE d_seconds histogram
d_seconds_bucket{site="a",le="0.1"} 2
d_seconds_bucket{site="a",le="1"} 3
d_seconds_bucket{site="a",le="+Inf"} 4
d_seconds_sum{site="a"} 1.5
d_seconds_count{site="a"} 4
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
