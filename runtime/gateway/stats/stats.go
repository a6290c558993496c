package stats

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ActivePeriod is the period of the unique-IP and active-agent figures.
const ActivePeriod = 60 * time.Minute

// MaxDomains bounds the domains counted separately; the rest are counted under
// OtherDomains so a client cannot grow memory (or /metrics) by asking for random names.
const MaxDomains = 1000

// OtherDomains is the bucket of domains beyond MaxDomains.
const OtherDomains = "(other)"

// Stats are the gateway's counters since start; safe for concurrent use.
type Stats struct {
	Clients *Window // clients of the proxy port
	Agents  *Window // clients of the cache port

	UpstreamErrors atomic.Uint64 // destinations or the upstream proxy failing
	Connections    atomic.Int64  // client connections open on the proxy port
	Tunnels        atomic.Int64  // CONNECT tunnels open

	mu      sync.RWMutex
	domains map[string]*DomainCounters
	denied  map[string]*atomic.Uint64 // by short reason class
}

// DomainCounters are the traffic to one domain.
type DomainCounters struct {
	Requests atomic.Uint64 // plain HTTP requests and CONNECT tunnels
	BytesIn  atomic.Uint64 // from the destination to clients
	BytesOut atomic.Uint64 // from clients to the destination
}

// New returns zeroed statistics.
func New() *Stats {
	return &Stats{
		Clients: NewWindow(ActivePeriod),
		Agents:  NewWindow(ActivePeriod),
		domains: map[string]*DomainCounters{},
		denied:  map[string]*atomic.Uint64{},
	}
}

// Domain returns the counters of domain (lower-cased), creating them if needed.
func (s *Stats) Domain(domain string) *DomainCounters {
	domain = strings.ToLower(domain)
	s.mu.RLock()
	c, ok := s.domains[domain]
	s.mu.RUnlock()
	if ok {
		return c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.domains[domain]; ok {
		return c
	}
	if len(s.domains) >= MaxDomains {
		domain = OtherDomains
		if c, ok := s.domains[domain]; ok {
			return c
		}
	}
	c = &DomainCounters{}
	s.domains[domain] = c
	return c
}

// Denied counts one refusal of class (e.g. "not-allowed", "smuggling").
func (s *Stats) Denied(class string) {
	s.mu.RLock()
	c, ok := s.denied[class]
	s.mu.RUnlock()
	if !ok {
		s.mu.Lock()
		if c, ok = s.denied[class]; !ok {
			c = &atomic.Uint64{}
			s.denied[class] = c
		}
		s.mu.Unlock()
	}
	c.Add(1)
}

// DomainSnapshot is one domain's figures.
type DomainSnapshot struct {
	Domain   string `json:"domain"`
	Requests uint64 `json:"requests"`
	BytesIn  uint64 `json:"bytes_in"`
	BytesOut uint64 `json:"bytes_out"`
}

// Domains lists every domain's figures, busiest first.
func (s *Stats) Domains() []DomainSnapshot {
	s.mu.RLock()
	out := make([]DomainSnapshot, 0, len(s.domains))
	for d, c := range s.domains {
		out = append(out, DomainSnapshot{Domain: d, Requests: c.Requests.Load(), BytesIn: c.BytesIn.Load(), BytesOut: c.BytesOut.Load()})
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b DomainSnapshot) int {
		if a.Requests != b.Requests {
			if a.Requests > b.Requests {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Domain, b.Domain)
	})
	return out
}

// DeniedCounts are the refusals by class.
func (s *Stats) DeniedCounts() map[string]uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]uint64, len(s.denied))
	for class, c := range s.denied {
		out[class] = c.Load()
	}
	return out
}
