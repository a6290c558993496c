package beacon

import (
	"net/netip"
	"time"
)

// Config holds the tracker's thresholds; see the package comment.
type Config struct {
	Threshold      float64
	MinConnections int
	Window         time.Duration
	ScoreEvery     time.Duration
	MaxPairs       int
	MaxSamples     int
}

// PairKey is a source → destination pair (destination port included, so a beacon to one
// service is not blurred by other traffic to the same host).
type PairKey struct {
	VNI  uint32
	Src  netip.Addr
	Dst  netip.Addr
	Port uint16
}

// Report is a pair that scored at least the threshold.
type Report struct {
	Key         PairKey
	Scores      Scores
	Connections int
	First, Last time.Time
}

type sample struct {
	start time.Time
	bytes uint64
}

type pair struct {
	samples []sample // ring of the newest MaxSamples connections
	head    int      // next slot to overwrite once full
	last    time.Time
}

// Tracker remembers connection starts per pair and scores them periodically. Not safe
// for concurrent use.
type Tracker struct {
	cfg       Config
	pairs     map[PairKey]*pair
	dropped   uint64
	lastScore time.Time
	times     []float64 // scratch buffers reused across scoring runs
	sizes     []float64
	scratch   []float64
}

// NewTracker returns a Tracker; zero fields take the defaults (0.85, 20, 24h, 10m, 20000, 1440).
func NewTracker(cfg Config) *Tracker {
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.85
	}
	if cfg.MinConnections < 4 {
		cfg.MinConnections = 20
	}
	if cfg.Window <= 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.ScoreEvery <= 0 {
		cfg.ScoreEvery = 10 * time.Minute
	}
	if cfg.MaxPairs <= 0 {
		cfg.MaxPairs = 20000
	}
	if cfg.MaxSamples < cfg.MinConnections {
		cfg.MaxSamples = max(1440, cfg.MinConnections)
	}
	return &Tracker{cfg: cfg, pairs: make(map[PairKey]*pair)}
}

// Dropped is how many connections were not tracked because MaxPairs pairs were.
func (t *Tracker) Dropped() uint64 { return t.dropped }

// Pairs is the number of pairs tracked.
func (t *Tracker) Pairs() int { return len(t.pairs) }

// Add records one connection of a pair.
func (t *Tracker) Add(k PairKey, start time.Time, bytesOut uint64) {
	p := t.pairs[k]
	if p == nil {
		if len(t.pairs) >= t.cfg.MaxPairs {
			t.dropped++
			return
		}
		p = &pair{}
		t.pairs[k] = p
	}
	s := sample{start, bytesOut}
	if len(p.samples) < t.cfg.MaxSamples {
		p.samples = append(p.samples, s)
	} else {
		p.samples[p.head] = s
		p.head = (p.head + 1) % len(p.samples)
	}
	if start.After(p.last) {
		p.last = start
	}
}

// Due reports whether a scoring run is due at now.
func (t *Tracker) Due(now time.Time) bool {
	return now.Sub(t.lastScore) >= t.cfg.ScoreEvery
}

// ScoreAll forgets samples older than the window, scores every pair with enough
// connections and returns those at or above the threshold.
func (t *Tracker) ScoreAll(now time.Time) []Report {
	t.lastScore = now
	cutoff := now.Add(-t.cfg.Window)
	var reports []Report
	for k, p := range t.pairs {
		if p.last.Before(cutoff) {
			delete(t.pairs, k)
			continue
		}
		r, ok := t.scorePair(k, p, cutoff)
		if ok {
			reports = append(reports, r)
		}
	}
	return reports
}

// ScorePair scores one pair now (for tests and status), whatever the threshold.
func (t *Tracker) ScorePair(k PairKey) (Scores, int) {
	p := t.pairs[k]
	if p == nil {
		return Scores{}, 0
	}
	r, _ := t.scorePair(k, p, time.Time{})
	return r.Scores, r.Connections
}

func (t *Tracker) scorePair(k PairKey, p *pair, cutoff time.Time) (Report, bool) {
	t.times, t.sizes = t.times[:0], t.sizes[:0]
	var first, last time.Time
	var base time.Time
	for _, s := range p.samples {
		if s.start.Before(cutoff) {
			continue
		}
		if base.IsZero() {
			base = s.start
		}
		if first.IsZero() || s.start.Before(first) {
			first = s.start
		}
		if s.start.After(last) {
			last = s.start
		}
		t.times = append(t.times, s.start.Sub(base).Seconds())
		t.sizes = append(t.sizes, float64(s.bytes))
	}
	n := len(t.times)
	if n < t.cfg.MinConnections {
		return Report{Connections: n}, false
	}
	if cap(t.scratch) < n {
		t.scratch = make([]float64, 0, n)
	}
	sc := Score(t.times, t.sizes, t.scratch)
	r := Report{Key: k, Scores: sc, Connections: n, First: first, Last: last}
	return r, sc.Score >= t.cfg.Threshold
}
