package main

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestForEachBoundsConcurrency: every index runs exactly once, and exactly limit calls
// are in flight at once: each call waits until limit of them run (or the last ones have
// started), so an unbounded forEach overshoots and a serial one never gets there.
func TestForEachBoundsConcurrency(t *testing.T) {
	const n, limit = 40, 4
	var inFlight, most, started atomic.Int32
	var mu sync.Mutex
	seen := map[int]int{}
	deadline := time.Now().Add(10 * time.Second) // a guard against a hang, not a timing
	err := forEach(context.Background(), n, limit, func(_ context.Context, i int) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		started.Add(1)
		for inFlight.Load() < limit && started.Load() < n && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		for {
			prev := most.Load()
			if now <= prev || most.CompareAndSwap(prev, now) {
				break
			}
		}
		mu.Lock()
		seen[i]++
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if most.Load() != limit {
		t.Errorf("at most %d calls in flight at once, want exactly the limit %d", most.Load(), limit)
	}
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("index %d called %d times, want once", i, seen[i])
		}
	}
}

// TestForEachStopsAtFirstError: the error is returned, the other calls see a cancelled
// context and no call starts after it.
func TestForEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int32
	err := forEach(context.Background(), 1000, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 3 {
			return boom
		}
		return ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if c := calls.Load(); c != 4 {
		t.Errorf("%d calls with limit 1, want 4 (none after the failing one)", c)
	}
}

func TestForEachCancelledFromOutside(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	err := forEach(ctx, 10, 2, func(context.Context, int) error {
		calls.Add(1)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if calls.Load() != 0 {
		t.Errorf("%d calls after cancel, want 0", calls.Load())
	}
}
