package detect

import (
	"net/netip"
	"time"
)

// repeatInterval is how often the same per-packet hit (an indicator, a miner user agent)
// may be published again.
const repeatInterval = time.Minute

type repeatKey struct {
	typ      string
	vni      uint32
	src, dst netip.Addr
}

// repeatLimiter keeps per-packet detections from publishing a finding per packet.
type repeatLimiter struct {
	last map[repeatKey]time.Time
}

func newRepeatLimiter() *repeatLimiter {
	return &repeatLimiter{last: make(map[repeatKey]time.Time)}
}

func (r *repeatLimiter) allow(k repeatKey, t time.Time) bool {
	if last, ok := r.last[k]; ok && t.Sub(last) < repeatInterval {
		return false
	}
	r.last[k] = t
	return true
}

func (r *repeatLimiter) expire(now time.Time) {
	for k, t := range r.last {
		if now.Sub(t) >= repeatInterval {
			delete(r.last, k)
		}
	}
}
