package overload

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestSettingsFrom(t *testing.T) {
	cpus := runtime.NumCPU()
	tests := []struct {
		name string
		in   *config.Inspection
		want Settings
		err  bool
	}{
		{"defaults", nil, Settings{cpus, 4 * cpus, 250 * time.Millisecond}, false},
		{"empty block", &config.Inspection{}, Settings{cpus, 4 * cpus, 250 * time.Millisecond}, false},
		{"queue follows max", &config.Inspection{MaxConcurrent: 3}, Settings{3, 12, 250 * time.Millisecond}, false},
		{"all set", &config.Inspection{MaxConcurrent: 2, QueueLength: 5, QueueTimeout: "1s"}, Settings{2, 5, time.Second}, false},
		{"bad timeout", &config.Inspection{QueueTimeout: "soon"}, Settings{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SettingsFrom(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("SettingsFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAcquireOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		held     int // slots taken before the call
		queued   int // requests already waiting
		want     error
	}{
		{"free slot", Settings{2, 1, time.Second}, 1, 0, nil},
		{"queue full", Settings{1, 1, time.Second}, 1, 1, ErrQueueFull},
		{"queue timeout", Settings{1, 1, 20 * time.Millisecond}, 1, 0, ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.settings)
			for range tt.held {
				if err := l.Acquire(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			l.waiting.Add(int64(tt.queued)) // stand-ins for waiting requests
			err := l.Acquire(context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Acquire = %v, want %v", err, tt.want)
			}
			st := l.Stats()
			if tt.want == nil && st.Running != tt.held+1 {
				t.Errorf("running = %d, want %d", st.Running, tt.held+1)
			}
			if errors.Is(tt.want, ErrQueueFull) && st.RejectedFull != 1 {
				t.Errorf("rejected (full) = %d, want 1", st.RejectedFull)
			}
			if errors.Is(tt.want, ErrTimeout) && st.RejectedTimeout != 1 {
				t.Errorf("rejected (timeout) = %d, want 1", st.RejectedTimeout)
			}
		})
	}
}

func TestQueuedRequestGetsReleasedSlot(t *testing.T) {
	l := New(Settings{MaxConcurrent: 1, QueueLength: 1, QueueTimeout: 5 * time.Second})
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- l.Acquire(context.Background()) }()
	waitUntil(t, func() bool { return l.Stats().Queued == 1 })
	l.Release()
	if err := <-got; err != nil {
		t.Fatalf("queued Acquire = %v, want the released slot", err)
	}
}

func TestCanceledContextLeavesQueue(t *testing.T) {
	l := New(Settings{MaxConcurrent: 1, QueueLength: 1, QueueTimeout: time.Minute})
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Acquire(ctx); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire with a canceled context = %v", err)
	}
	if q := l.Stats().Queued; q != 0 {
		t.Errorf("queued = %d after leaving, want 0", q)
	}
}

// TestConcurrencyBound runs many workers against a small limiter: never more than
// MaxConcurrent hold a slot, and those that cannot even queue are refused quickly.
func TestConcurrencyBound(t *testing.T) {
	const workers, max = 64, 3
	// The timeout is long enough for every worker to have arrived before the two queued
	// ones give up, so exactly two time out.
	l := New(Settings{MaxConcurrent: max, QueueLength: 2, QueueTimeout: 500 * time.Millisecond})
	var running, peak atomic.Int64
	var admitted, full, timedOut atomic.Int64
	var slowestRefusal atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := l.Acquire(context.Background())
			switch {
			case err == nil:
				admitted.Add(1)
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				<-release // hold the slot until every refusal has happened
				running.Add(-1)
				l.Release()
			case errors.Is(err, ErrQueueFull):
				full.Add(1)
				if d := time.Since(start).Nanoseconds(); d > slowestRefusal.Load() {
					slowestRefusal.Store(d)
				}
			default:
				timedOut.Add(1)
			}
		}()
	}
	waitUntil(t, func() bool { return admitted.Load()+full.Load()+timedOut.Load() == workers })
	close(release)
	wg.Wait()

	if peak.Load() > max {
		t.Errorf("%d inspections ran at once, want at most %d", peak.Load(), max)
	}
	if admitted.Load() != max {
		t.Errorf("%d admitted, want %d (slots are held until all refusals)", admitted.Load(), max)
	}
	if timedOut.Load() != 2 || full.Load() != workers-max-2 {
		t.Errorf("timed out %d, full %d; want 2 and %d", timedOut.Load(), full.Load(), workers-max-2)
	}
	// Refusing a full queue must not wait for the queue timeout.
	if d := time.Duration(slowestRefusal.Load()); d >= l.Settings().QueueTimeout {
		t.Errorf("a full-queue refusal took %v, as long as the queue timeout", d)
	}
	if st := l.Stats(); st.Running != 0 || st.Queued != 0 {
		t.Errorf("stats after the run = %+v, want nothing running or queued", st)
	}
}

func TestRefuse(t *testing.T) {
	rec := httptest.NewRecorder()
	Refuse(rec)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("Refuse wrote %d with Retry-After %q, want 503 and 1", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// waitUntil polls a condition that changes on other goroutines' schedule (bounded).
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	l := New(Settings{MaxConcurrent: 4, QueueLength: 16, QueueTimeout: time.Second})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Acquire(ctx); err != nil {
				b.Fatal(err)
			}
			l.Release()
		}
	})
}
