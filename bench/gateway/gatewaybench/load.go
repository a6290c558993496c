package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/bench/procstat"
)

// loadCase is one throughput row: Clients connections along Route, each asking for Path
// again and again (keep-alive) until the window ends.
type loadCase struct {
	Name    string
	Clients int
	Route   route
	Path    string
	Size    int64 // expected body length
	// MaxPerClient bounds the requests of each client, whatever the window.
	MaxPerClient int
}

// window is how a load case is timed: the load runs WarmUp + Length, and the counters
// and CPU are sampled at the edges of Length, so connection set-up (TLS handshakes) is
// not part of the figure.
type window struct {
	WarmUp, Length time.Duration
}

// loadResult is what a window measured.
type loadResult struct {
	Requests int64         // answers completed within the window
	Bytes    int64         // body bytes received within the window
	Elapsed  time.Duration // the window's real length
	Errors   int64         // failed requests and reconnections, over the whole run
	// ProxyCPU is the CPU time of the proxy's processes within the window.
	ProxyCPU time.Duration
	// HarnessCPU is the CPU time of this harness within the window: the clients, and
	// the origin (it serves in-process), the two ends every proxy sits between.
	HarnessCPU time.Duration
	// OtherLoad is the CPU, in cores, that processes other than the proxy and this
	// harness (clients and origin) used in the window: above ~0.1 the figures are noisy.
	OtherLoad float64
}

func (r loadResult) rps() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }
func (r loadResult) mibps() float64 {
	return float64(r.Bytes) / (1 << 20) / r.Elapsed.Seconds()
}

// counters are shared by the clients of a case.
type counters struct {
	requests, bytes, errors atomic.Int64
}

// countingWriter adds what it is given to a byte counter as it arrives, so that a long
// download counts the bytes inside the window even when it straddles an edge.
type countingWriter struct{ n *atomic.Int64 }

func (w countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// runLoad runs c against the proxy whose process is proxyPID and measures one window.
func runLoad(ctx context.Context, c loadCase, w window, proxyPID int) (loadResult, error) {
	var res loadResult
	var cnt counters
	stop := make(chan struct{})
	var live sync.Map // *clientConn → struct{}: cut off when the window ends
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range c.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runClient(ctx, c, &cnt, stop, &live); err != nil {
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	finish := func() {
		close(stop)
		live.Range(func(k, _ any) bool { // in-flight requests end now; they are not counted
			_ = k.(*clientConn).conn.SetDeadline(time.Now())
			return true
		})
		wg.Wait()
	}

	if err := pause(ctx, w.WarmUp); err != nil {
		finish()
		return res, err
	}
	before, err := sampleLoad(&cnt, proxyPID)
	if err != nil {
		finish()
		return res, err
	}
	if err := pause(ctx, w.Length); err != nil {
		finish()
		return res, err
	}
	after, err := sampleLoad(&cnt, proxyPID)
	finish()
	if err != nil {
		return res, err
	}
	res = loadResult{
		Requests:   after.requests - before.requests,
		Bytes:      after.bytes - before.bytes,
		Elapsed:    after.at.Sub(before.at),
		Errors:     cnt.errors.Load(),
		ProxyCPU:   after.proxyCPU - before.proxyCPU,
		HarnessCPU: after.selfCPU - before.selfCPU,
	}
	ours := res.ProxyCPU + res.HarnessCPU
	res.OtherLoad = max(0, float64(after.machine-before.machine-ours)/float64(res.Elapsed))
	if res.Requests == 0 && res.Bytes == 0 {
		err, _ := firstErr.Load().(error)
		return res, fmt.Errorf("%s: nothing was received in the window (%d errors; first: %v)", c.Name, res.Errors, err)
	}
	return res, nil
}

// runClient is one client: it connects, then asks for c.Path until stop, reconnecting
// after an error. Both loops are bounded: by stop (the window), by MaxPerClient
// requests, and by the errors allowed.
func runClient(ctx context.Context, c loadCase, cnt *counters, stop <-chan struct{}, live *sync.Map) error {
	const maxErrorsPerClient = 20
	buf := make([]byte, 32<<10)
	sink := countingWriter{&cnt.bytes}
	var lastErr error
	done, errs := 0, 0
	for done < c.MaxPerClient && errs < maxErrorsPerClient {
		if stopped(stop) {
			return nil
		}
		conn, err := dialRoute(ctx, c.Route)
		if err != nil {
			if stopped(stop) {
				return nil
			}
			cnt.errors.Add(1)
			errs++
			lastErr = err
			continue
		}
		live.Store(conn, struct{}{})
		for done < c.MaxPerClient && !stopped(stop) {
			status, n, err := conn.get(c.Path, sink, buf)
			if err == nil && (status != http.StatusOK || n != c.Size) {
				err = fmt.Errorf("GET %s: status %d, %d bytes (want 200, %d bytes)", c.Path, status, n, c.Size)
			}
			if err != nil {
				if !stopped(stop) {
					cnt.errors.Add(1)
					errs++
					lastErr = err
				}
				break
			}
			cnt.requests.Add(1)
			done++
		}
		live.Delete(conn)
		conn.close()
	}
	return lastErr
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// pause waits d, or returns the context's error.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loadSample is the counters at one edge of a window.
type loadSample struct {
	at                time.Time
	requests, bytes   int64
	proxyCPU, selfCPU time.Duration
	machine           time.Duration
}

func sampleLoad(cnt *counters, proxyPID int) (loadSample, error) {
	s := loadSample{at: time.Now(), requests: cnt.requests.Load(), bytes: cnt.bytes.Load()}
	var err error
	if s.proxyCPU, err = procstat.TreeCPU(proxyPID); err != nil {
		return s, fmt.Errorf("proxy CPU: %w", err)
	}
	if s.selfCPU, err = procstat.CPU(os.Getpid()); err != nil { // not the tree: the proxies are our children
		return s, fmt.Errorf("own CPU: %w", err)
	}
	if s.machine, err = procstat.MachineBusy(); err != nil {
		return s, err
	}
	return s, nil
}
