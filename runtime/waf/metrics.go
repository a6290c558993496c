package waf

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
)

// metrics are plain atomic counters, updated on the request path without locks and
// formatted only when /metrics is scraped. They outlive reloads: a counter never resets
// because the configuration changed.
type metrics struct {
	sites          sync.Map // site name → *siteCounters
	unrouted       siteCounters
	blocked        sync.Map // rule id → *atomic.Uint64
	detected       sync.Map // rule id → *atomic.Uint64
	upstreamErrors sync.Map // pool name → *atomic.Uint64
	inspection     histogram
	reloadsOK      atomic.Uint64
	reloadsFailed  atomic.Uint64
}

func newMetrics() *metrics {
	return &metrics{inspection: histogram{bounds: inspectionBuckets}}
}

// siteCounters count responses by status class: index 1 for 1xx up to 5 for 5xx.
type siteCounters struct {
	byClass [6]atomic.Uint64
}

func (c *siteCounters) count(status int) {
	class := status / 100
	if status == 0 {
		class = 2 // nothing written: net/http sends 200
	}
	if class < 1 || class > 5 {
		class = 0
	}
	c.byClass[class].Add(1)
}

// site returns the counters of a site, created on first use; a reloaded site with the same
// name continues counting.
func (m *metrics) site(name string) *siteCounters {
	c, _ := m.sites.LoadOrStore(name, new(siteCounters))
	return c.(*siteCounters)
}

func (m *metrics) ruleMatched(rule string, mode policyMode) {
	counters := &m.blocked
	if mode == modeDetect {
		counters = &m.detected
	}
	increment(counters, rule)
}

func (m *metrics) upstreamError(pool string) { increment(&m.upstreamErrors, pool) }

func increment(counters *sync.Map, key string) {
	c, ok := counters.Load(key)
	if !ok {
		c, _ = counters.LoadOrStore(key, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)
}

// inspectionBuckets are in seconds: the rule set runs in microseconds; a rule engine with
// the full CRS runs in tens to hundreds of them.
var inspectionBuckets = []float64{1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3}

// histogram is a fixed-bucket Prometheus histogram of durations.
type histogram struct {
	bounds   []float64
	counts   [16]atomic.Uint64 // per bucket, not cumulative; index len(bounds) is +Inf
	sumNanos atomic.Uint64
	total    atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	seconds := d.Seconds()
	i := sort.SearchFloat64s(h.bounds, seconds) // first bound >= seconds
	h.counts[i].Add(1)
	h.sumNanos.Add(uint64(d.Nanoseconds()))
	h.total.Add(1)
}

func (h *histogram) write(m *admin.MetricsWriter, name string) {
	cumulative := make([]uint64, len(h.bounds))
	var running uint64
	for i := range h.bounds {
		running += h.counts[i].Load()
		cumulative[i] = running
	}
	total := running + h.counts[len(h.bounds)].Load()
	m.Histogram(name, h.bounds, cumulative, float64(h.sumNanos.Load())/1e9, total)
}

var statusClassLabels = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// WriteMetrics writes the WAF's metrics for the admin API.
func (s *Server) WriteMetrics(m *admin.MetricsWriter) {
	m.Family("rampart_waf_requests_total", "counter", "Client requests answered, by site and status class; site \"\" means no site matched the Host.")
	writeSiteCounters(m, "", &s.metrics.unrouted)
	for _, name := range sortedKeys(&s.metrics.sites) {
		c, _ := s.metrics.sites.Load(name)
		writeSiteCounters(m, name, c.(*siteCounters))
	}

	m.Family("rampart_waf_blocked_total", "counter", "Requests blocked, by rule.")
	writeKeyedCounters(m, "rampart_waf_blocked_total", "rule", &s.metrics.blocked)
	m.Family("rampart_waf_detected_total", "counter", "Rule matches logged but not blocked (detect mode), by rule.")
	writeKeyedCounters(m, "rampart_waf_detected_total", "rule", &s.metrics.detected)
	m.Family("rampart_waf_upstream_errors_total", "counter", "Requests an upstream member failed (answered 502), by pool.")
	writeKeyedCounters(m, "rampart_waf_upstream_errors_total", "pool", &s.metrics.upstreamErrors)

	m.Family("rampart_waf_inspection_duration_seconds", "histogram", "Time spent inspecting a request.")
	s.metrics.inspection.write(m, "rampart_waf_inspection_duration_seconds")

	m.Family("rampart_waf_pool_members_up", "gauge", "Pool members receiving traffic.")
	m.Family("rampart_waf_pool_members", "gauge", "Pool members configured.")
	for _, p := range s.current.Load().pools {
		m.Sample("rampart_waf_pool_members_up", float64(p.UpCount()), "pool", p.Name)
		m.Sample("rampart_waf_pool_members", float64(len(p.Members)), "pool", p.Name)
	}

	m.Family("rampart_waf_reloads_total", "counter", "Configuration reloads, by result.")
	m.Sample("rampart_waf_reloads_total", float64(s.metrics.reloadsOK.Load()), "result", "success")
	m.Sample("rampart_waf_reloads_total", float64(s.metrics.reloadsFailed.Load()), "result", "failure")
}

func writeSiteCounters(m *admin.MetricsWriter, site string, c *siteCounters) {
	for class, label := range statusClassLabels {
		if n := c.byClass[class].Load(); n > 0 {
			m.Sample("rampart_waf_requests_total", float64(n), "site", site, "code", label)
		}
	}
}

func writeKeyedCounters(m *admin.MetricsWriter, name, label string, counters *sync.Map) {
	for _, key := range sortedKeys(counters) {
		c, _ := counters.Load(key)
		m.Sample(name, float64(c.(*atomic.Uint64).Load()), label, key)
	}
}

func sortedKeys(counters *sync.Map) []string {
	var keys []string
	counters.Range(func(k, _ any) bool {
		keys = append(keys, k.(string))
		return true
	})
	sort.Strings(keys)
	return keys
}
