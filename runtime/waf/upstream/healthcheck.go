package upstream

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Health check defaults, for fields the configuration leaves unset.
const (
	DefaultHealthCheckMethod   = http.MethodGet
	DefaultHealthCheckPath     = "/"
	DefaultHealthCheckInterval = 5 * time.Second
	DefaultHealthCheckTimeout  = 2 * time.Second
	DefaultHealthCheckStatus   = http.StatusOK
	DefaultRise                = 2
	DefaultFall                = 3
)

// HealthCheck is a parsed active L7 health check.
type HealthCheck struct {
	Method       string
	Path         string
	Interval     time.Duration
	Timeout      time.Duration // for the whole check: connect, send, response headers
	ExpectStatus int
	Rise, Fall   int
}

// ParseHealthCheck applies defaults and parses durations.
func ParseHealthCheck(c *config.HealthCheck) (HealthCheck, error) {
	hc := HealthCheck{
		Method:       cmp.Or(c.Method, DefaultHealthCheckMethod),
		Path:         cmp.Or(c.Path, DefaultHealthCheckPath),
		Interval:     DefaultHealthCheckInterval,
		Timeout:      DefaultHealthCheckTimeout,
		ExpectStatus: c.ExpectStatus,
		Rise:         c.Rise,
		Fall:         c.Fall,
	}
	if hc.ExpectStatus == 0 {
		hc.ExpectStatus = DefaultHealthCheckStatus
	}
	if hc.Rise <= 0 {
		hc.Rise = DefaultRise
	}
	if hc.Fall <= 0 {
		hc.Fall = DefaultFall
	}
	var err error
	if c.Interval != "" {
		if hc.Interval, err = time.ParseDuration(c.Interval); err != nil || hc.Interval <= 0 {
			return hc, fmt.Errorf("health_check.interval %q is not a positive duration such as 5s", c.Interval)
		}
	}
	if c.Timeout != "" {
		if hc.Timeout, err = time.ParseDuration(c.Timeout); err != nil || hc.Timeout <= 0 {
			return hc, fmt.Errorf("health_check.timeout %q is not a positive duration such as 2s", c.Timeout)
		}
	}
	// A check must finish before the next one starts.
	hc.Timeout = min(hc.Timeout, hc.Interval)
	return hc, nil
}

// activeCheckConfigured reports whether a health_check block asks for active checks: a
// block that sets only passive_failures means passive checks alone.
func activeCheckConfigured(c *config.HealthCheck) bool {
	passiveOnly := config.HealthCheck{PassiveFailures: c.PassiveFailures}
	return c.PassiveFailures == 0 || *c != passiveOnly
}

// run performs one check of address. Each check opens its own connection (no keep-alive,
// like HAProxy), so a member whose listener died is noticed even while old connections
// linger. The result codes:
//
//   - L4TOUT: the TCP connection was not established within the timeout;
//   - L4CON: the connection was refused, reset or closed before a response;
//   - L7TOUT: connected, but no complete response headers within the timeout;
//   - L7RSP: the answer is not HTTP;
//   - L7OK / L7STS: the member answered the expected / another status.
func (hc *HealthCheck) run(ctx context.Context, address string) checkResult {
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return connectFailure(err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return checkResult{check: CheckL4CON, message: "Connection error: " + err.Error()}
	}
	// Closing the connection when ctx ends (pool stopping) interrupts the read at once.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	req, err := http.NewRequestWithContext(ctx, hc.Method, "http://"+address+hc.Path, nil)
	if err != nil {
		return checkResult{check: CheckL7RSP, message: "Cannot build the check request: " + err.Error()}
	}
	req.Header.Set("User-Agent", "rampart-waf-healthcheck")
	req.Close = true
	if err := req.Write(conn); err != nil {
		return responseFailure(ctx, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return responseFailure(ctx, err)
	}
	// Never read an unbounded body; the status is the answer.
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
	return statusResult(resp.StatusCode, resp.StatusCode == hc.ExpectStatus)
}

// connectFailure classifies an error establishing the TCP connection.
func connectFailure(err error) checkResult {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return checkResult{check: CheckL4TOUT, message: "Timeout while connecting"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return checkResult{check: CheckL4CON, message: "Connection refused"}
	}
	return checkResult{check: CheckL4CON, message: "Connection error: " + err.Error()}
}

// responseFailure classifies an error after the connection was established. ctx is the
// check's: when its deadline has passed, whatever the read saw (a timeout, or the
// connection closed by the deadline) is a response timeout.
func responseFailure(ctx context.Context, err error) checkResult {
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return checkResult{check: CheckL7TOUT, message: "Timeout while waiting for the response"}
	case errors.Is(err, syscall.ECONNRESET):
		return checkResult{check: CheckL4CON, message: "Connection reset by peer"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return checkResult{check: CheckL4CON, message: "Connection closed before a response"}
	}
	return checkResult{check: CheckL7RSP, message: "Invalid HTTP response: " + err.Error()}
}
