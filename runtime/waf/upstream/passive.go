package upstream

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// Passive checks watch real traffic: passive_failures consecutive proxied requests that
// fail before a response (connection refused or reset, connect or response-header
// timeout) take a member DOWN. A pool with an active check brings it back after rise
// passing checks; a pool without one tries it again after the cool-down
// (DefaultPassiveCooldown), one failure short of the threshold, so a member still
// broken goes straight back DOWN.

// requestFailed records a failed proxied request to m.
func (p *Pool) requestFailed(m *Member, err error) {
	m.b.failures.Add(1)
	result := proxyFailure(err)
	if !m.b.health.recordRequestFailure(result, p.passiveFailures, time.Now().UTC()) {
		return
	}
	p.logTransition(m, false, result)
	if p.healthCheck == nil {
		h, threshold := m.b.health, p.passiveFailures
		time.AfterFunc(p.passiveCooldown, func() {
			if h.retryAfterCooldown(threshold) {
				p.log().Info("pool member retried after passive cool-down",
					"pool", p.Name, "member", m.Address, "cooldown", p.passiveCooldown.String())
			}
		})
	}
}

// requestSucceeded records a proxied request to m that got a response.
func (p *Pool) requestSucceeded(m *Member) { m.b.health.recordRequestSuccess() }

// proxyFailure classifies a transport error of a proxied request with the health view's
// codes. A dial error means the connection was never established.
func proxyFailure(err error) checkResult {
	if isDialError(err) {
		return connectFailure(err)
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return checkResult{check: CheckL7TOUT, message: "Timeout while waiting for the response"}
	}
	return responseFailure(context.Background(), err)
}

func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// isConnectFailure reports whether err means the request never reached the member, so
// another member may be tried: the connection could not be established, or was reset
// or closed before any response byte.
func isConnectFailure(err error) bool {
	return isDialError(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
