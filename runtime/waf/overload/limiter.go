// Package overload bounds how many requests are inspected at once. Rule evaluation is CPU
// work: beyond the number of cores, more parallel inspections only make every request
// slower until they all time out together. A Limiter lets max_concurrent inspections run,
// makes up to queue_length more wait for a slot until queue_timeout, and refuses the rest
// at once, so that an overloaded WAF answers some requests quickly (503 + Retry-After)
// instead of every request slowly.
package overload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Reasons a request is refused.
var (
	ErrQueueFull = errors.New("inspection queue full")
	ErrTimeout   = errors.New("inspection queue timeout")
)

// Settings are a config.Inspection with defaults applied.
type Settings struct {
	MaxConcurrent int
	QueueLength   int
	QueueTimeout  time.Duration
}

// SettingsFrom applies the defaults: the CPU count, four times that many waiting, 250ms.
func SettingsFrom(c *config.Inspection) (Settings, error) {
	s := Settings{}
	timeout := config.DefaultQueueTimeout
	if c != nil {
		s.MaxConcurrent, s.QueueLength = c.MaxConcurrent, c.QueueLength
		if c.QueueTimeout != "" {
			timeout = c.QueueTimeout
		}
	}
	if s.MaxConcurrent <= 0 {
		s.MaxConcurrent = runtime.NumCPU()
	}
	if s.QueueLength <= 0 {
		s.QueueLength = 4 * s.MaxConcurrent
	}
	d, err := time.ParseDuration(timeout)
	if err != nil || d <= 0 {
		return Settings{}, fmt.Errorf("inspection.queue_timeout %q is not a positive duration such as \"250ms\"", timeout)
	}
	s.QueueTimeout = d
	return s, nil
}

// Limiter hands out inspection slots. It is safe for concurrent use.
type Limiter struct {
	settings Settings
	slots    chan struct{} // a token per running inspection
	waiting  atomic.Int64  // requests queued for a slot

	rejectedFull    atomic.Uint64
	rejectedTimeout atomic.Uint64
}

// New returns a limiter with the given settings (see SettingsFrom).
func New(s Settings) *Limiter {
	return &Limiter{settings: s, slots: make(chan struct{}, s.MaxConcurrent)}
}

// Settings returns what the limiter was made with.
func (l *Limiter) Settings() Settings { return l.settings }

// Acquire takes a slot, waiting in the queue up to the queue timeout (or until ctx ends).
// On success the caller must call Release once the inspection is over. It returns
// ErrQueueFull without waiting when the queue is full, and ErrTimeout when no slot freed
// in time.
func (l *Limiter) Acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil // fast path: a free slot
	default:
	}
	if l.waiting.Add(1) > int64(l.settings.QueueLength) {
		l.waiting.Add(-1)
		l.rejectedFull.Add(1)
		return ErrQueueFull
	}
	defer l.waiting.Add(-1)
	timer := time.NewTimer(l.settings.QueueTimeout)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-timer.C:
		l.rejectedTimeout.Add(1)
		return ErrTimeout
	case <-ctx.Done():
		l.rejectedTimeout.Add(1)
		return fmt.Errorf("%w: %w", ErrTimeout, ctx.Err())
	}
}

// Release returns a slot taken by Acquire.
func (l *Limiter) Release() { <-l.slots }

// Stats is a snapshot for metrics.
type Stats struct {
	Running         int
	Queued          int
	RejectedFull    uint64
	RejectedTimeout uint64
}

// Stats returns the current counts.
func (l *Limiter) Stats() Stats {
	return Stats{
		Running:         len(l.slots),
		Queued:          int(l.waiting.Load()),
		RejectedFull:    l.rejectedFull.Load(),
		RejectedTimeout: l.rejectedTimeout.Load(),
	}
}

// RetryAfterSeconds is the Retry-After sent with a refusal: overload is short-lived, and a
// client that waits a second usually finds a slot.
const RetryAfterSeconds = "1"

// Refuse answers a request the limiter turned away: 503 with Retry-After.
func Refuse(w http.ResponseWriter) {
	w.Header().Set("Retry-After", RetryAfterSeconds)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "503 service unavailable: the firewall is overloaded, retry in a second", http.StatusServiceUnavailable)
}
