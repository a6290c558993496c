package upstream

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// checkOnce runs one active check of the pool's first member, as the loop would.
func checkOnce(p *Pool) MemberHealth {
	m := p.Members()[0]
	p.checkMember(context.Background(), m)
	return m.Health()
}

// TestHealthCheckRiseAndFall drives checks one by one against a real server: a member
// answering 500 goes DOWN after exactly fall checks, and UP again after rise.
func TestHealthCheckRiseAndFall(t *testing.T) {
	b := startBackend(t, "b")
	p := newTestPool(t, config.Pool{Name: "p", Members: members(b.address()),
		HealthCheck: &config.HealthCheck{Path: "/healthz", Rise: 2, Fall: 3}})

	if h := checkOnce(p); h.Status != StatusUp || h.Check != CheckL7OK || h.Code != 200 || h.Message != "HTTP status check returned code <200>" {
		t.Fatalf("healthy member: %+v, want UP L7OK code 200", h)
	}
	if got := b.lastPath.Load(); got != "/healthz" {
		t.Errorf("checked path %v, want /healthz", got)
	}
	b.status.Store(http.StatusInternalServerError)
	for i := 1; i <= 3; i++ {
		h := checkOnce(p)
		if h.Check != CheckL7STS || h.Code != 500 || h.Message != "HTTP status check returned code <500>" {
			t.Fatalf("check %d: %+v, want L7STS, code 500 and its message", i, h)
		}
		if want := map[bool]string{true: StatusDown, false: StatusUp}[i == 3]; h.Status != want {
			t.Fatalf("after %d failed checks (fall 3) the member is %s, want %s", i, h.Status, want)
		}
	}
	if p.UpCount() != 0 || p.Pick(requestFrom("192.0.2.1")) != nil {
		t.Error("a DOWN member is still picked")
	}
	b.status.Store(http.StatusOK)
	if h := checkOnce(p); h.Status != StatusDown || h.Check != CheckL7OK {
		t.Fatalf("after 1 passing check (rise 2): %+v, want still DOWN with L7OK", h)
	}
	if h := checkOnce(p); h.Status != StatusUp {
		t.Fatalf("after 2 passing checks (rise 2): %+v, want UP", h)
	}
	if h := p.Members()[0].Health(); h.LastCheck.IsZero() {
		t.Error("last check time not recorded")
	}
}

func TestHealthCheckResults(t *testing.T) {
	silent := rawServer(t, func(c *net.TCPConn) {
		// Accepts and reads the request, never answers: the check's response times out.
		c.Read(make([]byte, 1))
	})
	notHTTP := rawServer(t, func(c *net.TCPConn) { c.Write([]byte("SSH-2.0-OpenSSH\r\n")) })
	live := startBackend(t, "live")
	tests := []struct {
		name        string
		address     string
		timeout     string
		check       string
		message     string
		wantHTTPish bool
	}{
		{"closed port", deadAddress(t), "1s", CheckL4CON, "Connection refused", false},
		// A 1ns timeout expires before the real dialer can connect: the connect times
		// out (a blackholed address would too, but is not loopback).
		{"connect timeout", live.address(), "1ns", CheckL4TOUT, "Timeout while connecting", false},
		{"no answer", silent, "100ms", CheckL7TOUT, "Timeout while waiting for the response", false},
		{"not HTTP", notHTTP, "1s", CheckL7RSP, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, config.Pool{Name: "p", Members: members(tt.address),
				HealthCheck: &config.HealthCheck{Timeout: tt.timeout}})
			h := checkOnce(p)
			if h.Check != tt.check || (tt.message != "" && h.Message != tt.message) || h.Code != 0 {
				t.Errorf("check = %+v, want %s %q and no code", h, tt.check, tt.message)
			}
			// A member that joined is UP until its first check; one failure takes it down.
			if h.Status != StatusDown {
				t.Errorf("status %s after a failed first check, want DOWN", h.Status)
			}
		})
	}
}

func TestHealthCheckMethodAndExpectedStatus(t *testing.T) {
	b := startBackend(t, "b")
	b.status.Store(http.StatusNoContent)
	for _, method := range []string{http.MethodHead, http.MethodOptions, http.MethodGet} {
		p := newTestPool(t, config.Pool{Name: "p", Members: members(b.address()),
			HealthCheck: &config.HealthCheck{Method: method, ExpectStatus: 204}})
		if h := checkOnce(p); h.Check != CheckL7OK || h.Code != 204 {
			t.Errorf("%s check: %+v, want L7OK 204", method, h)
		}
		if got := b.method.Load(); got != method {
			t.Errorf("check used method %v, want %s", got, method)
		}
	}
	// The default expects 200: 204 is a wrong status.
	p := newTestPool(t, config.Pool{Name: "p", Members: members(b.address()), HealthCheck: &config.HealthCheck{}})
	if h := checkOnce(p); h.Check != CheckL7STS {
		t.Errorf("204 with the default expect_status: %+v, want L7STS", h)
	}
}

// TestHealthCheckLoop runs the checks on their schedule (50ms): a member answering 500
// goes DOWN and comes back, and stopping the checks stops them.
func TestHealthCheckLoop(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	p := newTestPool(t, config.Pool{Name: "p", Members: members(a.address(), b.address()),
		HealthCheck: &config.HealthCheck{Interval: "50ms", Timeout: "1s", Rise: 2, Fall: 2}})
	stop := p.StartHealthChecks(nil, nil)
	t.Cleanup(stop)
	waitFor(t, "first checks of both members", func() bool { return a.checks.Load() > 0 && b.checks.Load() > 0 })

	b.status.Store(http.StatusInternalServerError)
	waitFor(t, "b to go DOWN", func() bool { return !p.Members()[1].Up() })
	if h := p.Members()[1].Health(); h.Check != CheckL7STS || h.Code != 500 {
		t.Errorf("b: %+v, want L7STS 500", h)
	}
	if !p.Members()[0].Up() {
		t.Error("a went down too")
	}
	b.status.Store(http.StatusOK)
	waitFor(t, "b to come back UP", func() bool { return p.Members()[1].Up() })

	stop()
	before := a.checks.Load()
	// stop waited for every loop to end; nothing may check any more. (A bounded wait of
	// a few intervals to observe an absence.)
	time.Sleep(200 * time.Millisecond)
	if after := a.checks.Load(); after != before {
		t.Errorf("%d checks ran after stop", after-before)
	}
}

func TestParseHealthCheck(t *testing.T) {
	hc, err := ParseHealthCheck(&config.HealthCheck{})
	if err != nil {
		t.Fatal(err)
	}
	want := HealthCheck{Method: "GET", Path: "/", Interval: 5 * time.Second, Timeout: 2 * time.Second, ExpectStatus: 200, Rise: 2, Fall: 3}
	if hc != want {
		t.Errorf("defaults = %+v, want %+v", hc, want)
	}
	if hc, _ := ParseHealthCheck(&config.HealthCheck{Interval: "1s", Timeout: "5s"}); hc.Timeout != time.Second {
		t.Errorf("timeout %v longer than the interval, want it capped at 1s", hc.Timeout)
	}
	for _, bad := range []config.HealthCheck{{Interval: "soon"}, {Timeout: "-1s"}} {
		if _, err := ParseHealthCheck(&bad); err == nil {
			t.Errorf("ParseHealthCheck(%+v) accepted a bad duration", bad)
		}
	}
}

func TestPassiveOnlyHealthCheckBlock(t *testing.T) {
	for _, tt := range []struct {
		hc     config.HealthCheck
		active bool
	}{
		{config.HealthCheck{}, true},
		{config.HealthCheck{PassiveFailures: 3}, false},
		{config.HealthCheck{PassiveFailures: 3, Path: "/health"}, true},
	} {
		if got := activeCheckConfigured(&tt.hc); got != tt.active {
			t.Errorf("health_check %+v: active = %v, want %v", tt.hc, got, tt.active)
		}
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := jitter(time.Second)
		if d < 900*time.Millisecond || d > 1100*time.Millisecond {
			t.Fatalf("jitter(1s) = %v, want within ±10%%", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct intervals in 1000: no jitter", len(seen))
	}
}

func TestReloadKeepsHealthState(t *testing.T) {
	cfg := config.Pool{Name: "p", Members: members("a:1", "b:1")}
	old := newTestPool(t, cfg)
	setUp(old.Members()[0], false)
	old.Members()[0].b.requests.Add(7)
	next := newTestPool(t, cfg, PoolOptions{Previous: old})
	if next.Members()[0].Up() || !next.Members()[1].Up() {
		t.Errorf("after reload a up=%v b up=%v, want down and up", next.Members()[0].Up(), next.Members()[1].Up())
	}
	if got := next.Members()[0].Requests(); got != 7 {
		t.Errorf("after reload a counts %d requests, want the 7 from before", got)
	}
}
