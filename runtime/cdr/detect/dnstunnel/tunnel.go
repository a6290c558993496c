// Package dnstunnel finds data carried in DNS names: a client sending many unique
// subdomains of one domain, with long labels or TXT/NULL queries (iodine, dnscat2,
// DNSExfiltrator and similar tools work this way).
//
// Per (client, registered domain), within Window (default 10 minutes):
//   - a tunnel when there are at least UniqueNames (default 50) unique subdomains AND
//     either half of them have a label of LongLabel (default 24) characters or more, or
//     half of the queries ask for TXT or NULL records;
//   - a tunnel whatever the shape when the subdomain text adds up to MaxBytes (default
//     64 KiB): that much data does not fit normal lookups.
//
// Lookups of busy legitimate services (CDN edge names, DNS blocklists) have many unique but
// short subdomains of A/AAAA records and stay below both rules.
package dnstunnel

import (
	"hash/maphash"
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect/domain"
)

// Config holds the thresholds; see the package comment.
type Config struct {
	UniqueNames int
	LongLabel   int
	MaxBytes    int
	Window      time.Duration
	MaxDomains  int
}

// Key is one client's lookups under one registered domain.
type Key struct {
	VNI    uint32
	Client netip.Addr
	Domain string
}

// Report is a suspected tunnel.
type Report struct {
	Key         Key
	Unique      int // unique subdomains
	LongNames   int // of which with a long label
	Queries     int
	TXTOrNULL   int
	Bytes       int // subdomain text
	Example     string
	First, Last time.Time
}

type tracked struct {
	seen     map[uint64]struct{}
	long     int
	queries  int
	txt      int
	bytes    int
	example  string
	first    time.Time
	last     time.Time
	reported bool
}

// Tracker counts subdomains per (client, domain). Not safe for concurrent use.
type Tracker struct {
	cfg       Config
	seed      maphash.Seed
	domains   map[Key]*tracked
	dropped   uint64
	lastSweep time.Time
}

// NewTracker returns a Tracker; zero fields take the defaults (50, 24, 64 KiB, 10m, 50000).
func NewTracker(cfg Config) *Tracker {
	if cfg.UniqueNames <= 0 {
		cfg.UniqueNames = 50
	}
	if cfg.LongLabel <= 0 {
		cfg.LongLabel = 24
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 65536
	}
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.MaxDomains <= 0 {
		cfg.MaxDomains = 50000
	}
	return &Tracker{cfg: cfg, seed: maphash.MakeSeed(), domains: make(map[Key]*tracked)}
}

// Dropped is how many queries were ignored because MaxDomains pairs were tracked.
func (t *Tracker) Dropped() uint64 { return t.dropped }

// Query records one DNS query (name lower case, no trailing dot) and returns a report when
// the (client, domain) pair just crossed a threshold.
func (t *Tracker) Query(vni uint32, client netip.Addr, name string, qtype uint16, at time.Time) (Report, bool) {
	registered, _, sub := domain.Split(name)
	if sub == "" {
		return Report{}, false
	}
	k := Key{vni, client, registered}
	d := t.domains[k]
	if d == nil {
		if len(t.domains) >= t.cfg.MaxDomains {
			t.dropped++
			return Report{}, false
		}
		d = &tracked{seen: make(map[uint64]struct{}), first: at}
		t.domains[k] = d
	}
	d.queries++
	d.last = at
	if qtype == 16 || qtype == 10 { // TXT, NULL
		d.txt++
	}
	h := maphash.String(t.seed, sub)
	if _, dup := d.seen[h]; !dup {
		if len(d.seen) < 4*t.cfg.UniqueNames {
			d.seen[h] = struct{}{}
		}
		d.bytes += len(sub)
		if LongestLabel(sub) >= t.cfg.LongLabel {
			d.long++
			if d.example == "" {
				d.example = name
			}
		}
	}
	if d.reported || !t.isTunnel(d) {
		return Report{}, false
	}
	d.reported = true
	ex := d.example
	if ex == "" {
		ex = name
	}
	return Report{Key: k, Unique: len(d.seen), LongNames: d.long, Queries: d.queries, TXTOrNULL: d.txt,
		Bytes: d.bytes, Example: ex, First: d.first, Last: d.last}, true
}

func (t *Tracker) isTunnel(d *tracked) bool {
	if d.bytes >= t.cfg.MaxBytes {
		return true
	}
	unique := len(d.seen)
	if unique < t.cfg.UniqueNames {
		return false
	}
	return 2*d.long >= unique || 2*d.txt >= d.queries
}

// Expire forgets (client, domain) pairs idle for the window. Counts are per window from a
// pair's first query, so a slow trickle below the thresholds is forgotten too.
func (t *Tracker) Expire(now time.Time) {
	if now.Sub(t.lastSweep) < t.cfg.Window/10 {
		return
	}
	t.lastSweep = now
	cutoff := now.Add(-t.cfg.Window)
	for k, d := range t.domains {
		if d.first.Before(cutoff) && (!d.reported || d.last.Before(cutoff)) {
			delete(t.domains, k)
		}
	}
}

// LongestLabel is the length of the longest dot-separated label of name.
func LongestLabel(name string) int {
	longest, run := 0, 0
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
