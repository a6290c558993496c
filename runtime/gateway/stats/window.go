// Package stats keeps the gateway's statistics: distinct clients seen in the last hour
// (unique client IPs of the proxy port, active agents of the cache port), requests and
// bytes by domain, denials by reason and upstream errors. Counters are updated on the hot
// path with atomics or one short lock per connection, and formatted only when /status or
// /metrics asks.
package stats

import (
	"net/netip"
	"sync"
	"time"
)

// Window counts distinct addresses seen within a sliding period (60 minutes for the
// gateway's figures).
type Window struct {
	period time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[netip.Addr]int64 // address → unix seconds of its last sighting
}

// NewWindow returns an empty window over period.
func NewWindow(period time.Duration) *Window {
	return &Window{period: period, now: time.Now, seen: map[netip.Addr]int64{}}
}

// Seen records addr now.
func (w *Window) Seen(addr netip.Addr) {
	now := w.now().Unix()
	w.mu.Lock()
	w.seen[addr.Unmap()] = now
	w.mu.Unlock()
}

// Count is the number of distinct addresses seen within the period; it forgets older ones.
func (w *Window) Count() int {
	cutoff := w.now().Add(-w.period).Unix()
	w.mu.Lock()
	defer w.mu.Unlock()
	for addr, last := range w.seen {
		if last < cutoff {
			delete(w.seen, addr)
		}
	}
	return len(w.seen)
}
