package upstream

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// sendUntil sends GETs through front until cond holds, at most 20.
func sendUntil(t *testing.T, front string, cond func() bool) {
	t.Helper()
	for range 20 {
		if cond() {
			return
		}
		if got := send(t, &http.Client{}, http.MethodGet, front, nil); got.status != http.StatusOK {
			t.Fatalf("GET: status %d %q, want 200 (retried on the live member)", got.status, got.body)
		}
	}
	if !cond() {
		t.Fatal("condition not reached after 20 requests")
	}
}

func TestPassiveFailuresMarkDown(t *testing.T) {
	live := startBackend(t, "live")
	dead := deadAddress(t)
	p := newTestPool(t, config.Pool{Name: "p", Members: members(dead, live.address()),
		HealthCheck: &config.HealthCheck{PassiveFailures: 2}}, PoolOptions{PassiveCooldown: time.Hour})
	front := startFront(t, p)
	deadMember := p.Members()[0]

	sendUntil(t, front, func() bool { return !deadMember.Up() })
	if got := deadMember.Failures(); got != 2 {
		t.Errorf("DOWN after %d failures, want passive_failures = 2", got)
	}
	h := deadMember.Health()
	if h.Check != CheckL4CON || !strings.Contains(h.Message, "2 consecutive requests failed (passive check): Connection refused") {
		t.Errorf("health %+v, want L4CON with the passive message", h)
	}
	before := deadMember.Requests()
	for range 4 {
		if got := send(t, &http.Client{}, http.MethodGet, front, nil); got.body != "live" {
			t.Fatalf("GET answered %d %q, want the live member", got.status, got.body)
		}
	}
	if deadMember.Requests() != before {
		t.Error("a passively downed member still receives requests")
	}
}

// TestPassiveCooldownWithoutActiveCheck: without an active check, a downed member is
// tried again after the cool-down, and one more failure takes it straight back down.
func TestPassiveCooldownWithoutActiveCheck(t *testing.T) {
	live := startBackend(t, "live")
	p := newTestPool(t, config.Pool{Name: "p", Members: members(deadAddress(t), live.address()),
		HealthCheck: &config.HealthCheck{PassiveFailures: 3}}, PoolOptions{PassiveCooldown: 50 * time.Millisecond})
	front := startFront(t, p)
	deadMember := p.Members()[0]

	sendUntil(t, front, func() bool { return !deadMember.Up() })
	waitFor(t, "the cool-down to bring the member back", deadMember.Up)
	failures := deadMember.Failures()
	sendUntil(t, front, func() bool { return !deadMember.Up() })
	if got := deadMember.Failures() - failures; got != 1 {
		t.Errorf("after the cool-down it took %d failures to go DOWN again, want 1", got)
	}
}

// TestPassiveDownNeedsActiveChecksToRecover: with an active check, a member downed by
// failed requests comes back only after rise passing checks, not after a cool-down.
func TestPassiveDownNeedsActiveChecksToRecover(t *testing.T) {
	live := startBackend(t, "live")
	// Health checks pass, proxied requests are reset: the kind of member only passive
	// checks catch.
	flaky := rawRequestServer(t, func(c *net.TCPConn, r *http.Request) {
		if r.UserAgent() == "rampart-waf-healthcheck" {
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			return
		}
		c.SetLinger(0)
	})
	p := newTestPool(t, config.Pool{Name: "p", Members: members(flaky, live.address()),
		HealthCheck: &config.HealthCheck{PassiveFailures: 2, Rise: 2, Interval: "1h"}},
		PoolOptions{PassiveCooldown: time.Millisecond})
	front := startFront(t, p)
	flakyMember := p.Members()[0]

	sendUntil(t, front, func() bool { return !flakyMember.Up() })
	if h := flakyMember.Health(); h.Check != CheckL4CON {
		t.Errorf("health %+v, want L4CON from the reset requests", h)
	}
	if h := checkOnce(p); h.Status != StatusDown || h.Check != CheckL7OK {
		t.Fatalf("after 1 passing check: %+v, want still DOWN (rise 2, no cool-down)", h)
	}
	if h := checkOnce(p); h.Status != StatusUp {
		t.Fatalf("after 2 passing checks: %+v, want UP", h)
	}
}

func TestPassiveFailuresMustBeConsecutive(t *testing.T) {
	h := newHealth()
	failure := checkResult{check: CheckL4CON, message: "Connection refused"}
	now := time.Now()
	for range 5 {
		h.recordRequestFailure(failure, 2, now)
		h.recordRequestSuccess()
	}
	if !h.up.Load() {
		t.Fatal("alternating failures and successes took the member down (threshold 2)")
	}
	h.recordRequestFailure(failure, 2, now)
	if !h.recordRequestFailure(failure, 2, now) || h.up.Load() {
		t.Error("two consecutive failures did not take the member down")
	}
}
