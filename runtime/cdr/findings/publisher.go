package findings

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

// Publisher delivers findings to its sinks from one goroutine. Publish never blocks: a
// finding that does not fit the bounded queue is dropped and counted. Repeats of a finding
// (same Key) within SuppressFor of its last delivery are folded into a count that the next
// delivered copy carries.
type Publisher struct {
	queue       chan Finding
	sinks       []Sink
	remediation *Remediator
	suppressFor time.Duration
	minSeverity int
	log         *slog.Logger

	// Only the worker goroutine touches suppressed.
	suppressed map[string]*suppression

	dropped    atomic.Uint64
	delivered  atomic.Uint64
	folded     atomic.Uint64
	sinkErrors atomic.Uint64

	stop chan struct{}
	done sync.WaitGroup
}

type suppression struct {
	lastSent time.Time // traffic time of the last delivered copy
	pending  int       // repeats since then
}

// Stats are the publisher's counters.
type Stats struct {
	Delivered  uint64 // findings delivered (to every sink that accepted them)
	Suppressed uint64 // repeats folded into an earlier finding
	Dropped    uint64 // findings lost because the queue was full
	SinkErrors uint64 // failed deliveries (after retries)
}

// NewPublisher builds the sinks that cfg configures and starts the delivery goroutine.
// Close stops it. log receives delivery errors (never finding secrets); nil means slog.Default().
func NewPublisher(cfg *config.Findings, log *slog.Logger) (*Publisher, error) {
	c := config.Findings{}
	if cfg != nil {
		c = *cfg
	}
	c.ApplyDefaults()
	if err := c.Validate("findings"); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	sinks, err := buildSinks(&c)
	if err != nil {
		return nil, err
	}
	var rem *Remediator
	if c.Remediation != nil {
		rem = NewRemediator(c.Remediation)
	}
	return NewPublisherWithSinks(sinks, rem, config.DurationOr(c.SuppressFor, time.Hour), c.MinSeverity, c.Queue, log), nil
}

// NewPublisherWithSinks starts a publisher over the given sinks (used by NewPublisher and
// by tests that bring their own sink).
func NewPublisherWithSinks(sinks []Sink, rem *Remediator, suppressFor time.Duration, minSeverity, queue int, log *slog.Logger) *Publisher {
	if queue <= 0 {
		queue = config.DefaultFindingsQueue
	}
	if log == nil {
		log = slog.Default()
	}
	p := &Publisher{
		queue: make(chan Finding, queue), sinks: sinks, remediation: rem, suppressFor: suppressFor,
		minSeverity: minSeverity, log: log, suppressed: make(map[string]*suppression), stop: make(chan struct{}),
	}
	p.done.Add(1)
	go p.run()
	return p
}

func buildSinks(c *config.Findings) ([]Sink, error) {
	var sinks []Sink
	add := func(s Sink, err error) error {
		if err != nil {
			for _, s := range sinks {
				s.Close()
			}
			return err
		}
		sinks = append(sinks, s)
		return nil
	}
	if c.JSONLog != "" {
		if err := add(NewJSONLog(c.JSONLog)); err != nil {
			return nil, err
		}
	}
	if c.Syslog != "" {
		if err := add(NewSyslog(c.Syslog, nil)); err != nil {
			return nil, err
		}
	}
	if c.Webhook != nil {
		if err := add(NewWebhook(c.Webhook), nil); err != nil {
			return nil, err
		}
	}
	if a := c.ASFF; a != nil {
		if a.File != "" {
			if err := add(NewASFFFile(a)); err != nil {
				return nil, err
			}
		}
		if a.SNSTopicARN != "" {
			if err := add(NewSNS(context.Background(), a)); err != nil {
				return nil, err
			}
		}
	}
	return sinks, nil
}

// Publish queues a finding for delivery without blocking; it returns false when the queue
// was full and the finding was dropped. Safe for concurrent use.
func (p *Publisher) Publish(f Finding) bool {
	select {
	case p.queue <- f:
		return true
	default:
		p.dropped.Add(1)
		return false
	}
}

// Stats returns the counters.
func (p *Publisher) Stats() Stats {
	return Stats{Delivered: p.delivered.Load(), Suppressed: p.folded.Load(), Dropped: p.dropped.Load(), SinkErrors: p.sinkErrors.Load()}
}

// Close delivers what is queued, stops the goroutine and closes the sinks.
func (p *Publisher) Close() error {
	close(p.stop)
	p.done.Wait()
	var first error
	for _, s := range p.sinks {
		if err := s.Close(); err != nil && first == nil {
			first = fmt.Errorf("close findings sink %s: %w", s.Name(), err)
		}
	}
	return first
}

func (p *Publisher) run() {
	defer p.done.Done()
	for {
		select {
		case f := <-p.queue:
			p.deliver(f)
		case <-p.stop:
			for {
				select {
				case f := <-p.queue:
					p.deliver(f)
				default:
					return
				}
			}
		}
	}
}

func (p *Publisher) deliver(f Finding) {
	if f.Severity < p.minSeverity {
		return
	}
	if p.suppress(&f) {
		p.folded.Add(1)
		return
	}
	ctx := context.Background()
	for _, s := range p.sinks {
		if err := s.Send(ctx, &f); err != nil {
			p.sinkErrors.Add(1)
			p.log.Warn("finding not delivered", "sink", s.Name(), "finding", f.ID, "type", f.Type, "error", err)
		}
	}
	p.delivered.Add(1)
	if p.remediation != nil {
		if err := p.remediation.Run(ctx, &f); err != nil {
			p.log.Warn("remediation failed", "finding", f.ID, "type", f.Type, "error", err)
		}
	}
}

// suppress reports whether f repeats a finding delivered less than suppressFor ago (in
// traffic time); if not, it adds the folded repeats to f.Count.
func (p *Publisher) suppress(f *Finding) bool {
	if p.suppressFor <= 0 {
		return false
	}
	key := f.Key()
	s := p.suppressed[key]
	if s != nil && f.LastSeen.Sub(s.lastSent) < p.suppressFor {
		s.pending += max(f.Count, 1)
		return true
	}
	if s == nil {
		if len(p.suppressed) >= 100000 {
			p.forgetOld(f.LastSeen)
		}
		s = &suppression{}
		p.suppressed[key] = s
	}
	f.Count = max(f.Count, 1) + s.pending
	s.pending, s.lastSent = 0, f.LastSeen
	return false
}

func (p *Publisher) forgetOld(now time.Time) {
	for k, s := range p.suppressed {
		if now.Sub(s.lastSent) >= p.suppressFor {
			delete(p.suppressed, k)
		}
	}
}
