package portscan

import (
	"context"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Budget is shared by every host a scanner probes at once: the most probes waiting for an
// answer (each costs a socket or a pending-reply slot, i.e. memory) and the most probes
// sent per second (what the network and the targets see).
type Budget struct {
	slots   chan struct{}
	limiter *rate.Limiter // nil: no packets-per-second cap
	sent    atomic.Uint64
}

// NewBudget allows inFlight probes at once and, when pps > 0, pps probes per second.
func NewBudget(inFlight, pps int) *Budget {
	b := &Budget{slots: make(chan struct{}, max(inFlight, 1))}
	if pps > 0 {
		b.limiter = rate.NewLimiter(rate.Limit(pps), max(pps/100, 1))
	}
	return b
}

// InFlight is the capacity of the budget.
func (b *Budget) InFlight() int { return cap(b.slots) }

// Sent counts probes sent since the budget was made.
func (b *Budget) Sent() uint64 { return b.sent.Load() }

// acquire waits for a free slot and the rate limiter; release gives the slot back.
func (b *Budget) acquire(ctx context.Context) error {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if b.limiter != nil {
		if err := b.limiter.Wait(ctx); err != nil {
			<-b.slots
			return err
		}
	}
	b.sent.Add(1)
	return nil
}

func (b *Budget) release() { <-b.slots }

// tryAcquire takes a slot only if one is free now (and the rate limiter allows a probe now).
// A prober that has probes in flight must not block here: it has their answers to read.
func (b *Budget) tryAcquire() bool {
	select {
	case b.slots <- struct{}{}:
	default:
		return false
	}
	if b.limiter != nil && !b.limiter.Allow() {
		<-b.slots
		return false
	}
	b.sent.Add(1)
	return true
}
