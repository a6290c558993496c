package portscan

import (
	"sync"
	"time"
)

// rttEstimator keeps the smoothed round-trip time of one host the way TCP does (RFC 6298):
// timeout = srtt + 4·rttvar, clamped to [min, max]. Before any answer the timeout is the
// maximum, so a slow host is not declared filtered by a guess.
type rttEstimator struct {
	mu       sync.Mutex
	srtt     time.Duration
	rttvar   time.Duration
	samples  int
	min, max time.Duration
}

func newRTTEstimator(min, max time.Duration) *rttEstimator {
	return &rttEstimator{min: min, max: max}
}

func (e *rttEstimator) observe(rtt time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.samples == 0 {
		e.srtt, e.rttvar = rtt, rtt/2
	} else {
		diff := e.srtt - rtt
		if diff < 0 {
			diff = -diff
		}
		e.rttvar = (3*e.rttvar + diff) / 4
		e.srtt = (7*e.srtt + rtt) / 8
	}
	e.samples++
}

// timeout is how long to wait for an answer to one probe now.
func (e *rttEstimator) timeout() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.samples == 0 {
		return e.max
	}
	return min(max(e.srtt+4*e.rttvar, e.min), e.max)
}

func (e *rttEstimator) smoothed() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.srtt
}
