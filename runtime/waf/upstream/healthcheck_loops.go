package upstream

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// checkLoops runs one check loop per member. Each loop starts at a random point of the
// first interval and then waits the interval ±10% (jitter), so members and pools drift
// apart instead of being checked in lockstep bursts.
type checkLoops struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	stops  map[*backend]context.CancelFunc
}

// StartHealthChecks starts the pool's active checks (when configured) and returns the
// function that stops them, to be called when the configuration is replaced or the server
// shuts down. stop also releases the pool: members that no newer pool took over drain,
// then close their idle connections. The checks open their own connections, so transport
// is not used; the parameter is kept for callers.
func (p *Pool) StartHealthChecks(_ http.RoundTripper, logger *slog.Logger) (stop func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if logger != nil {
		p.logger.Store(logger)
	}
	if p.healthCheck != nil && p.checks == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p.checks = &checkLoops{ctx: ctx, cancel: cancel, stops: map[*backend]context.CancelFunc{}}
		for _, m := range p.Members() {
			p.startCheck(m, rand.N(p.healthCheck.Interval))
		}
	}
	var once sync.Once
	return func() { once.Do(p.stop) }
}

func (p *Pool) stop() {
	p.mu.Lock()
	checks := p.checks
	p.checks = nil
	p.stopped = true
	members := p.Members()
	p.mu.Unlock()
	if checks != nil {
		checks.cancel()
		checks.wg.Wait()
	}
	for _, m := range members {
		m.b.release()
	}
}

// startCheck starts m's check loop after delay; p.mu must be held. Without running checks
// it does nothing.
func (p *Pool) startCheck(m *Member, delay time.Duration) {
	if p.checks == nil {
		return
	}
	if _, running := p.checks.stops[m.b]; running {
		return
	}
	ctx, cancel := context.WithCancel(p.checks.ctx)
	p.checks.stops[m.b] = cancel
	p.checks.wg.Go(func() { p.checkLoop(ctx, m, delay) })
}

// stopCheck stops m's check loop; p.mu must be held.
func (p *Pool) stopCheck(m *Member) {
	if p.checks == nil {
		return
	}
	if cancel, ok := p.checks.stops[m.b]; ok {
		cancel()
		delete(p.checks.stops, m.b)
	}
}

func (p *Pool) checkLoop(ctx context.Context, m *Member, delay time.Duration) {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		p.checkMember(ctx, m)
		timer.Reset(jitter(p.healthCheck.Interval))
	}
}

// checkMember runs one check of m and records it.
func (p *Pool) checkMember(ctx context.Context, m *Member) {
	hc := p.healthCheck
	result := hc.run(ctx, m.Address)
	if ctx.Err() != nil {
		return // stopping: the result means nothing
	}
	up, changed := m.b.health.recordCheck(result, time.Now().UTC(), hc.Rise, hc.Fall)
	if changed {
		p.logTransition(m, up, result)
	}
}

func (p *Pool) logTransition(m *Member, up bool, r checkResult) {
	attrs := []slog.Attr{
		slog.String("pool", p.Name), slog.String("member", m.Address), slog.String("source", m.Source),
		slog.String("check", r.check), slog.String("message", r.message),
	}
	if up {
		p.log().LogAttrs(context.Background(), slog.LevelInfo, "pool member up", attrs...)
		return
	}
	p.log().LogAttrs(context.Background(), slog.LevelWarn, "pool member down", attrs...)
}

// jitter returns interval ±10%.
func jitter(interval time.Duration) time.Duration {
	spread := interval / 5
	if spread <= 0 {
		return interval
	}
	return interval - spread/2 + rand.N(spread)
}
