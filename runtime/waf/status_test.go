package waf_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// memberView is one member line of GET /status, as `rampart status` reads it.
func memberView(t *testing.T, w *testWAF, index int) map[string]any {
	t.Helper()
	pools := w.status(t).Details.(map[string]any)["pools"].([]any)
	return pools[0].(map[string]any)["members"].([]any)[index].(map[string]any)
}

// TestStatusShowsHealthView: a member answering 500 goes DOWN after fall checks and
// /status shows L7STS with its message and code; it comes back UP after rise.
func TestStatusShowsHealthView(t *testing.T) {
	a := startBackend(t, "a")
	cfg := simpleConfig("off", a.address())
	cfg.Pools[0].HealthCheck = &config.HealthCheck{Path: "/health", Interval: "50ms", Timeout: "1s", Rise: 2, Fall: 3}
	w := startWAF(t, cfg)

	waitFor(t, "a first passing check", func() bool { return memberView(t, w, 0)["check"] == "L7OK" })
	if resp := w.get(t, "", "/"); resp.status != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", resp.status)
	}
	m := memberView(t, w, 0)
	host, port, _ := net.SplitHostPort(a.address())
	want := map[string]any{
		"host": host, "port": port, "address": a.address(), "weight": 1.0, "source": "static",
		"status": "UP", "up": true, "check": "L7OK", "message": "HTTP status check returned code <200>", "code": 200.0,
		"requests": 1.0, "failures": 0.0, "in_flight": 0.0,
	}
	for field, value := range want {
		if m[field] != value {
			t.Errorf("member %s = %v, want %v", field, m[field], value)
		}
	}
	if m["last_check"] == nil {
		t.Error("member last_check is null after a check")
	}

	a.setHealthy(false)
	waitFor(t, "the member to go DOWN", func() bool { return memberView(t, w, 0)["status"] == "DOWN" })
	m = memberView(t, w, 0)
	if m["check"] != "L7STS" || m["message"] != "HTTP status check returned code <500>" || m["code"] != 500.0 || m["up"] != false {
		t.Errorf("DOWN member: check=%v message=%v code=%v up=%v, want L7STS, the 500 message, 500, false", m["check"], m["message"], m["code"], m["up"])
	}
	if resp := w.get(t, "", "/"); resp.status != http.StatusServiceUnavailable {
		t.Errorf("no member UP: status %d, want 503", resp.status)
	}

	a.setHealthy(true)
	waitFor(t, "the member to come back UP", func() bool { return memberView(t, w, 0)["status"] == "UP" })
	if m := memberView(t, w, 0); m["check"] != "L7OK" || m["code"] != 200.0 {
		t.Errorf("UP again: check=%v code=%v, want L7OK 200", m["check"], m["code"])
	}
}

// TestStatusFacts: the figures `rampart status` prints under a WAF count what it did.
func TestStatusFacts(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	// Host is a name, not an IP, so rule 920350 stays quiet on the benign request.
	if resp := w.get(t, "localhost", "/products?q=shoes"); resp.status != http.StatusOK {
		t.Fatalf("benign GET = %d, want 200", resp.status)
	}
	if resp := w.get(t, "", "/products?id=1%20UNION%20SELECT%20password%20FROM%20users"); resp.status != http.StatusForbidden {
		t.Fatalf("attack GET = %d, want 403", resp.status)
	}
	facts := map[string]string{}
	for _, f := range w.status(t).Facts {
		facts[f.Name] = f.Value
	}
	want := map[string]string{"members UP": "1 of 1", "requests": "2", "blocked": "1", "detected": "0", "rejected (overload)": "0"}
	for name, value := range want {
		if facts[name] != value {
			t.Errorf("fact %q = %q, want %q (all: %v)", name, facts[name], value, facts)
		}
	}
}
