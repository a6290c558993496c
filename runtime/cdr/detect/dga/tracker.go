package dga

import (
	"hash/maphash"
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect/domain"
)

// Config holds the per-client thresholds; see the package comment.
type Config struct {
	MinNames   int
	Window     time.Duration
	MaxClients int
}

// ClientKey is one resolving client.
type ClientKey struct {
	VNI    uint32
	Client netip.Addr
}

// Report is a client that resolved many generated names.
type Report struct {
	Key         ClientKey
	Names       int      // unique DGA-like names in the window
	Examples    []string // up to 5 of them
	Lookups     int      // responses seen in the window
	NXDomain    int      // of which NXDOMAIN
	First, Last time.Time
}

// NXRatio is the share of the client's answered lookups that were NXDOMAIN.
func (r Report) NXRatio() float64 {
	if r.Lookups == 0 {
		return 0
	}
	return float64(r.NXDomain) / float64(r.Lookups)
}

type client struct {
	names    map[uint64]time.Time // hash of each DGA-like name → last seen
	examples []string
	lookups  int
	nx       int
	first    time.Time
	last     time.Time
	reported bool
}

// Tracker counts DGA-like names per client. Not safe for concurrent use.
type Tracker struct {
	cfg       Config
	seed      maphash.Seed
	clients   map[ClientKey]*client
	dropped   uint64
	lastSweep time.Time
}

// NewTracker returns a Tracker; zero fields take the defaults (10 names, 1 hour, 50000).
func NewTracker(cfg Config) *Tracker {
	if cfg.MinNames <= 0 {
		cfg.MinNames = 10
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Hour
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 50000
	}
	return &Tracker{cfg: cfg, seed: maphash.MakeSeed(), clients: make(map[ClientKey]*client)}
}

// Response records one DNS response (name lower case, no trailing dot) and returns a report
// when the client just crossed the threshold.
func (t *Tracker) Response(k ClientKey, name string, nxdomain bool, at time.Time) (Report, bool) {
	_, label, _ := domain.Split(name)
	generated := Measure(label).IsGenerated()
	c := t.clients[k]
	if c == nil {
		if !generated {
			return Report{}, false // only clients with a suspicious name cost memory
		}
		if len(t.clients) >= t.cfg.MaxClients {
			t.dropped++
			return Report{}, false
		}
		c = &client{names: make(map[uint64]time.Time), first: at}
		t.clients[k] = c
	}
	c.lookups++
	if nxdomain {
		c.nx++
	}
	c.last = at
	if generated {
		h := maphash.String(t.seed, name)
		if _, seen := c.names[h]; !seen && len(c.examples) < 5 {
			c.examples = append(c.examples, name)
		}
		if len(c.names) < 4*t.cfg.MinNames {
			c.names[h] = at
		}
	}
	if c.reported {
		return Report{}, false
	}
	n := len(c.names)
	mostlyNX := c.lookups > 0 && 2*c.nx >= c.lookups
	if n >= t.cfg.MinNames || (mostlyNX && 2*n >= t.cfg.MinNames) {
		c.reported = true
		return Report{Key: k, Names: n, Examples: append([]string(nil), c.examples...),
			Lookups: c.lookups, NXDomain: c.nx, First: c.first, Last: c.last}, true
	}
	return Report{}, false
}

// Dropped is how many suspicious lookups were ignored because MaxClients were tracked.
func (t *Tracker) Dropped() uint64 { return t.dropped }

// Expire forgets names older than the window; clients with none left are dropped.
func (t *Tracker) Expire(now time.Time) {
	if now.Sub(t.lastSweep) < t.cfg.Window/10 {
		return
	}
	t.lastSweep = now
	cutoff := now.Add(-t.cfg.Window)
	for k, c := range t.clients {
		for h, seen := range c.names {
			if seen.Before(cutoff) {
				delete(c.names, h)
			}
		}
		if c.last.Before(cutoff) {
			delete(t.clients, k)
		}
	}
}
