package upstream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

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

func TestHealthCheckMarksMembersDownAndUp(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	var checkedPath atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checkedPath.Store(r.URL.Path)
		if !healthy.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(backend.Close)
	address := strings.TrimPrefix(backend.URL, "http://")

	p := newTestPool(t, config.Pool{
		Name:        "p",
		Members:     []config.Member{{Address: address, Weight: 1}},
		HealthCheck: &config.HealthCheck{Path: "/healthz", Interval: "20ms", Timeout: "1s", ExpectStatus: 204},
	})
	stop := p.StartHealthChecks(NewTransport(), logging.Discard())
	t.Cleanup(stop)

	waitFor(t, "a first health check", func() bool { return checkedPath.Load() != nil })
	if got := checkedPath.Load(); got != "/healthz" {
		t.Errorf("checked path %v, want /healthz", got)
	}
	healthy.Store(false)
	waitFor(t, "the member to go down", func() bool { return !p.Members[0].Up() })
	if p.UpCount() != 0 {
		t.Errorf("UpCount = %d, want 0", p.UpCount())
	}
	healthy.Store(true)
	waitFor(t, "the member to come back up", func() bool { return p.Members[0].Up() })
}

func TestHealthCheckDeadMemberGoesDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	address := strings.TrimPrefix(dead.URL, "http://")
	dead.Close() // nothing listens there any more

	p := newTestPool(t, config.Pool{
		Name:        "p",
		Members:     []config.Member{{Address: address, Weight: 1}},
		HealthCheck: &config.HealthCheck{Interval: "20ms"},
	})
	stop := p.StartHealthChecks(NewTransport(), logging.Discard())
	t.Cleanup(stop)
	waitFor(t, "the dead member to go down", func() bool { return !p.Members[0].Up() })
}

func TestReloadKeepsHealthState(t *testing.T) {
	cfg := config.Pool{Name: "p", Members: []config.Member{{Address: "a:1", Weight: 1}, {Address: "b:1", Weight: 1}}}
	old := newTestPool(t, cfg)
	old.Members[0].up.Store(false)
	next, err := NewPool(cfg, PoolOptions{Previous: old})
	if err != nil {
		t.Fatal(err)
	}
	if next.Members[0].Up() || !next.Members[1].Up() {
		t.Errorf("after reload a up=%v b up=%v, want down and up", next.Members[0].Up(), next.Members[1].Up())
	}
}

func TestParseHealthCheck(t *testing.T) {
	hc, err := ParseHealthCheck(&config.HealthCheck{})
	if err != nil {
		t.Fatal(err)
	}
	if hc.Path != "/" || hc.Interval != DefaultHealthCheckInterval || hc.Timeout != DefaultHealthCheckTimeout {
		t.Errorf("defaults = %+v", hc)
	}
	if !hc.healthy(302) || hc.healthy(500) {
		t.Error("without expect_status, 3xx must be healthy and 5xx not")
	}
	for _, bad := range []config.HealthCheck{{Interval: "soon"}, {Timeout: "-1s"}} {
		if _, err := ParseHealthCheck(&bad); err == nil {
			t.Errorf("ParseHealthCheck(%+v) accepted a bad duration", bad)
		}
	}
}
