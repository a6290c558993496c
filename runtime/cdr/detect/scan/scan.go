// Package scan finds port, address and random scans: sources whose TCP connection attempts
// to many unique (host, port) pairs got no answer or a reset.
//
// Thresholds (modelled on Zeek's scan policy, the "simple scan" of ncsa/bro-simple-scan):
//   - a source is a scanner once Threshold unique failed (host, port) pairs (default 25)
//     were seen within Window (default 15 minutes); older attempts are forgotten;
//   - the kind is a port scan when every pair has the same host, an address scan when every
//     pair has the same port, otherwise a random scan;
//   - nmap's SYN fingerprint (window 1024, no TCP options) is counted as supporting evidence
//     and raises the severity; it never makes a scan on its own.
//
// Memory is bounded: at most MaxSources sources, and per source at most 4×Threshold pairs
// (enough to classify); further pairs are only counted.
package scan

import (
	"net/netip"
	"sort"
	"time"
)

// Kinds of scan.
const (
	KindPort    = "port_scan"
	KindAddress = "address_scan"
	KindRandom  = "random_scan"
)

// Config holds the thresholds; see the package comment.
type Config struct {
	Threshold  int
	Window     time.Duration
	MaxSources int
}

// Target is the (host, port) pair an attempt went to.
type Target struct {
	Addr netip.Addr
	Port uint16
}

// Attempt is one failed connection attempt.
type Attempt struct {
	Time    time.Time
	VNI     uint32
	Src     netip.Addr
	Dst     Target
	NmapSYN bool // the SYN had window 1024 and no options
}

// Report describes a scanner when it crosses the threshold.
type Report struct {
	VNI         uint32
	Scanner     netip.Addr
	Kind        string
	Unique      int        // unique failed pairs in the window (including those only counted)
	Hosts       int        // distinct hosts among the remembered pairs
	Ports       int        // distinct ports among the remembered pairs
	Victim      netip.Addr // the single host of a port scan
	Port        uint16     // the single port of an address scan
	SamplePorts []uint16   // up to 20 ports, sorted
	NmapSYN     int        // attempts with nmap's SYN fingerprint
	First, Last time.Time
}

// sourceKey is a scanner. The VNI is widened to 64 bits so that the struct has no padding:
// the map then hashes it as one block of memory, not field by field (a lookup per probe).
type sourceKey struct {
	src netip.Addr
	vni uint64
}

type source struct {
	pairs    map[Target]time.Time // last failed attempt per pair
	overflow int                  // unique pairs beyond the per-source cap, not remembered
	nmapSYN  int
	first    time.Time
	last     time.Time
	reported bool
}

// Detector tracks failed attempts per source. Not safe for concurrent use.
type Detector struct {
	cfg       Config
	maxPairs  int
	sources   map[sourceKey]*source
	free      []*source // recycled sources, so a steady state allocates nothing
	dropped   uint64
	lastSweep time.Time
}

// New returns a Detector; zero thresholds take the defaults (25, 15 minutes, 100000).
func New(cfg Config) *Detector {
	if cfg.Threshold <= 0 {
		cfg.Threshold = 25
	}
	if cfg.Window <= 0 {
		cfg.Window = 15 * time.Minute
	}
	if cfg.MaxSources <= 0 {
		cfg.MaxSources = 100000
	}
	maxPairs := 4 * cfg.Threshold
	if maxPairs < 64 {
		maxPairs = 64
	}
	return &Detector{cfg: cfg, maxPairs: maxPairs, sources: make(map[sourceKey]*source)}
}

// Dropped is how many attempts were ignored because MaxSources sources were tracked.
func (d *Detector) Dropped() uint64 { return d.dropped }

// Failed records a failed attempt and returns a report when its source just became a
// scanner.
func (d *Detector) Failed(a Attempt) (Report, bool) {
	k := sourceKey{src: a.Src, vni: uint64(a.VNI)}
	s := d.sources[k]
	if s == nil {
		if len(d.sources) >= d.cfg.MaxSources {
			d.dropped++
			return Report{}, false
		}
		s = d.newSource()
		s.first = a.Time
		d.sources[k] = s
	}
	if a.NmapSYN {
		s.nmapSYN++
	}
	if a.Time.After(s.last) {
		s.last = a.Time
	}
	if s.reported {
		// The pairs were only needed to reach the threshold and classify the scan; a
		// reported source stays reported while it is active, and skipping the pair map
		// keeps a long scan to one lookup per probe.
		return Report{}, false
	}
	if _, seen := s.pairs[a.Dst]; seen || len(s.pairs) < d.maxPairs {
		s.pairs[a.Dst] = a.Time
	} else {
		s.overflow++
	}
	if len(s.pairs)+s.overflow < d.cfg.Threshold {
		return Report{}, false
	}
	s.reported = true
	return d.report(k, s), true
}

func (d *Detector) newSource() *source {
	if n := len(d.free); n > 0 {
		s := d.free[n-1]
		d.free = d.free[:n-1]
		return s
	}
	return &source{pairs: make(map[Target]time.Time, 8)}
}

// Expire forgets attempts older than the window. It sweeps at most once per
// Window/15 of traffic time, so calling it on every tick is cheap.
func (d *Detector) Expire(now time.Time) {
	if now.Sub(d.lastSweep) < d.cfg.Window/15 {
		return
	}
	d.lastSweep = now
	cutoff := now.Add(-d.cfg.Window)
	for k, s := range d.sources {
		for t, seen := range s.pairs {
			if seen.Before(cutoff) {
				delete(s.pairs, t)
			}
		}
		if s.last.Before(cutoff) {
			delete(d.sources, k)
			clear(s.pairs)
			*s = source{pairs: s.pairs}
			d.free = append(d.free, s)
			continue
		}
		if len(s.pairs) == 0 {
			s.overflow = 0
		}
	}
}

// report classifies the remembered pairs of one source.
func (d *Detector) report(k sourceKey, s *source) Report {
	hosts := make(map[netip.Addr]struct{})
	ports := make(map[uint16]struct{})
	var anyHost netip.Addr
	var anyPort uint16
	for t := range s.pairs {
		hosts[t.Addr] = struct{}{}
		ports[t.Port] = struct{}{}
		anyHost, anyPort = t.Addr, t.Port
	}
	r := Report{
		VNI: uint32(k.vni), Scanner: k.src, Unique: len(s.pairs) + s.overflow,
		Hosts: len(hosts), Ports: len(ports), NmapSYN: s.nmapSYN, First: s.first, Last: s.last,
	}
	r.Kind = Classify(len(hosts), len(ports))
	switch r.Kind {
	case KindPort:
		r.Victim = anyHost
	case KindAddress:
		r.Port = anyPort
	}
	for p := range ports {
		r.SamplePorts = append(r.SamplePorts, p)
	}
	sort.Slice(r.SamplePorts, func(i, j int) bool { return r.SamplePorts[i] < r.SamplePorts[j] })
	if len(r.SamplePorts) > 20 {
		r.SamplePorts = r.SamplePorts[:20]
	}
	return r
}

// Classify names the kind of scan from the distinct hosts and ports probed: one host is a
// port scan, one port is an address scan, anything else a random scan.
func Classify(hosts, ports int) string {
	switch {
	case hosts == 1:
		return KindPort
	case ports == 1:
		return KindAddress
	default:
		return KindRandom
	}
}

// IsNmapSYN reports whether a SYN carries nmap's default SYN-scan fingerprint: a window
// of 1024 and no TCP options (real stacks always send MSS at least).
func IsNmapSYN(window uint16, options int) bool {
	return window == 1024 && options == 0
}
