package upstream

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Check result codes of the original appliance's health view (HAProxy's names).
const (
	CheckL7OK   = "L7OK"   // the member answered the expected status
	CheckL7STS  = "L7STS"  // the member answered another status
	CheckL7RSP  = "L7RSP"  // the member answered something that is not HTTP
	CheckL7TOUT = "L7TOUT" // connected, but no complete response within the timeout
	CheckL4CON  = "L4CON"  // the connection failed: refused, reset, unreachable
	CheckL4TOUT = "L4TOUT" // the TCP connection was not established within the timeout
)

// Member statuses.
const (
	StatusUp   = "UP"
	StatusDown = "DOWN"
)

// checkResult is the outcome of one active check or one failed proxied request.
type checkResult struct {
	check   string // one of the Check* codes
	message string // e.g. "HTTP status check returned code <500>"
	code    int    // the HTTP status, 0 when there was none
}

func (r checkResult) ok() bool { return r.check == CheckL7OK }

func statusResult(code int, ok bool) checkResult {
	check := CheckL7STS
	if ok {
		check = CheckL7OK
	}
	return checkResult{check: check, message: fmt.Sprintf("HTTP status check returned code <%d>", code), code: code}
}

// MemberHealth is a member's line in the health view.
type MemberHealth struct {
	Status    string    // UP or DOWN
	Check     string    // last result: L7OK, L7STS, L4CON, ...; "" before the first check
	Message   string    // human-readable reason of the last result
	Code      int       // last HTTP status returned to a check, 0 if none
	LastCheck time.Time // zero before the first check
}

// health is the health record of one backend. up is read on every pick without locks;
// the rest changes only when a check or a failed request reports, under mu.
type health struct {
	up atomic.Bool
	// passiveFailures counts consecutive failed proxied requests. Atomic so the success
	// path (every request) can reset it without taking mu.
	passiveFailures atomic.Int32

	mu        sync.Mutex
	last      checkResult
	lastCheck time.Time
	successes int // consecutive passing active checks
	failures  int // consecutive failing active checks
	// confirmed is false until a first active check passes: a member that joins starts
	// UP (so a reload or a new container does not wait for checks to serve), but one
	// failed check takes an unconfirmed member DOWN instead of fall of them, like
	// HAProxy's init-state "up".
	confirmed bool
}

func newHealth() *health {
	h := &health{}
	h.up.Store(true)
	return h
}

// recordCheck applies an active check result with rise/fall hysteresis and reports the
// new state and whether it changed.
func (h *health) recordCheck(r checkResult, now time.Time, rise, fall int) (up, changed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last, h.lastCheck = r, now
	up = h.up.Load()
	if r.ok() {
		h.successes++
		h.failures = 0
		h.confirmed = true
		if !up && h.successes >= rise {
			h.up.Store(true)
			h.passiveFailures.Store(0)
			return true, true
		}
		return up, false
	}
	h.failures++
	h.successes = 0
	if up && (h.failures >= fall || !h.confirmed) {
		h.up.Store(false)
		return false, true
	}
	return up, false
}

// recordRequestFailure counts a failed proxied request; after threshold consecutive ones
// the member goes DOWN. It reports whether this call took the member down.
func (h *health) recordRequestFailure(r checkResult, threshold int, now time.Time) (down bool) {
	n := h.passiveFailures.Add(1)
	if threshold <= 0 || int(n) < threshold {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.up.Load() {
		return false
	}
	h.up.Store(false)
	h.successes, h.failures = 0, 0
	h.last = checkResult{
		check:   r.check,
		message: fmt.Sprintf("%d consecutive requests failed (passive check): %s", n, r.message),
		code:    r.code,
	}
	h.lastCheck = now
	return true
}

// recordRequestSuccess ends a run of failed proxied requests.
func (h *health) recordRequestSuccess() {
	if h.passiveFailures.Load() != 0 {
		h.passiveFailures.Store(0)
	}
}

// retryAfterCooldown brings a passively downed member back when the pool has no active
// check to do it. It is left one failure short of the threshold, so a member still
// broken goes straight back DOWN on its next failed request.
func (h *health) retryAfterCooldown(threshold int) (changed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.up.Load() {
		return false
	}
	h.passiveFailures.Store(int32(max(threshold-1, 0)))
	h.up.Store(true)
	return true
}

func (h *health) view() MemberHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	status := StatusDown
	if h.up.Load() {
		status = StatusUp
	}
	return MemberHealth{Status: status, Check: h.last.check, Message: h.last.message, Code: h.last.code, LastCheck: h.lastCheck}
}
