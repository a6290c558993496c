package waf

import (
	"errors"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/waf/overload"
)

// metrics are plain atomic counters, updated on the request path without locks and
// formatted only when /metrics is scraped. They outlive reloads: a counter never resets
// because the configuration changed.
type metrics struct {
	sites           sync.Map // site name → *siteCounters
	unrouted        siteCounters
	ruleHits        sync.Map // rule label (see ruleLabel) → *atomic.Uint64
	upstreamErrors  sync.Map // pool name → *atomic.Uint64
	inspection      histogram
	rejectedFull    atomic.Uint64 // inspection queue full
	rejectedTimeout atomic.Uint64 // no inspection slot within the queue timeout
	reloadsOK       atomic.Uint64
	reloadsFailed   atomic.Uint64
}

func newMetrics() *metrics {
	return &metrics{inspection: histogram{bounds: inspectionBuckets}}
}

// requestAction is what the firewall did with a request, a label of the request counts.
type requestAction int

const (
	actionPassed   requestAction = iota // forwarded, nothing matched (or not inspected)
	actionDetected                      // forwarded, rules matched (detect mode, or under the threshold)
	actionBlocked                       // refused by the rules
	actionRejected                      // refused by the overload limiter (503)
	actionCount
)

var actionLabels = [actionCount]string{"passed", "detected", "blocked", "rejected"}

// siteCounters count responses by action and status class: index 1 for 1xx up to 5 for
// 5xx.
type siteCounters struct {
	byClass [actionCount][6]atomic.Uint64
}

func (c *siteCounters) count(action requestAction, status int) {
	class := status / 100
	if status == 0 {
		class = 2 // nothing written: net/http sends 200
	}
	if class < 1 || class > 5 {
		class = 0
	}
	c.byClass[action][class].Add(1)
}

// site returns the counters of a site, created on first use; a reloaded site with the same
// name continues counting.
func (m *metrics) site(name string) *siteCounters {
	c, _ := m.sites.LoadOrStore(name, new(siteCounters))
	return c.(*siteCounters)
}

// ruleHit counts a matched rule. Labels are bounded: Core Rule Set and rampart ids by id,
// every other (custom) rule as "custom", since custom rule ids are chosen by users.
func (m *metrics) ruleHit(id int) { increment(&m.ruleHits, ruleLabel(id)) }

func ruleLabel(id int) string {
	const crsFirst, crsLast = 900_000, 999_999
	const rampartFirst, rampartLast = 440_000, 440_999 // inspect's generated rules
	const corazaFirst, corazaLast = 200_000, 200_999   // Coraza's recommended configuration
	switch {
	case crsFirst <= id && id <= crsLast, rampartFirst <= id && id <= rampartLast, corazaFirst <= id && id <= corazaLast:
		return strconv.Itoa(id)
	default:
		return "custom"
	}
}

// overloaded counts a request the inspection limiter turned away.
func (m *metrics) overloaded(err error) {
	if errors.Is(err, overload.ErrQueueFull) {
		m.rejectedFull.Add(1)
		return
	}
	m.rejectedTimeout.Add(1)
}

func (m *metrics) upstreamError(pool string) { increment(&m.upstreamErrors, pool) }

func increment(counters *sync.Map, key string) {
	c, ok := counters.Load(key)
	if !ok {
		c, _ = counters.LoadOrStore(key, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)
}

// inspectionBuckets are in seconds: the Core Rule Set takes about a millisecond for a small
// GET and tens of milliseconds for a large JSON body.
var inspectionBuckets = []float64{1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 1e-1, 2.5e-1}

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
	m.Family("rampart_waf_requests_total", "counter", "Client requests answered, by site, status class and action (passed, detected, blocked, rejected); site \"\" means no site matched the Host.")
	writeSiteCounters(m, "", &s.metrics.unrouted)
	for _, name := range sortedKeys(&s.metrics.sites) {
		c, _ := s.metrics.sites.Load(name)
		writeSiteCounters(m, name, c.(*siteCounters))
	}

	m.Family("rampart_waf_rule_hits_total", "counter", "Rule matches in blocked and detected requests, by rule id; custom rules count as \"custom\".")
	writeKeyedCounters(m, "rampart_waf_rule_hits_total", "rule", &s.metrics.ruleHits)
	m.Family("rampart_waf_upstream_errors_total", "counter", "Requests an upstream member failed (answered 502), by pool.")
	writeKeyedCounters(m, "rampart_waf_upstream_errors_total", "pool", &s.metrics.upstreamErrors)

	m.Family("rampart_waf_inspection_duration_seconds", "histogram", "Time the rules took over a request (headers and body).")
	s.metrics.inspection.write(m, "rampart_waf_inspection_duration_seconds")
	limiter := s.current.Load().limiter.Stats()
	m.Family("rampart_waf_inspections_running", "gauge", "Inspections running now (bounded by inspection.max_concurrent).")
	m.Sample("rampart_waf_inspections_running", float64(limiter.Running))
	m.Family("rampart_waf_inspections_queued", "gauge", "Requests waiting for an inspection slot now.")
	m.Sample("rampart_waf_inspections_queued", float64(limiter.Queued))
	m.Family("rampart_waf_inspections_rejected_total", "counter", "Requests answered 503 because no inspection slot was free, by reason.")
	m.Sample("rampart_waf_inspections_rejected_total", float64(s.metrics.rejectedFull.Load()), "reason", "queue_full")
	m.Sample("rampart_waf_inspections_rejected_total", float64(s.metrics.rejectedTimeout.Load()), "reason", "queue_timeout")

	m.Family("rampart_waf_pool_members_up", "gauge", "Pool members receiving traffic.")
	m.Family("rampart_waf_pool_members", "gauge", "Pool members configured.")
	for _, p := range s.current.Load().pools {
		m.Sample("rampart_waf_pool_members_up", float64(p.UpCount()), "pool", p.Name)
		m.Sample("rampart_waf_pool_members", float64(len(p.Members())), "pool", p.Name)
	}

	m.Family("rampart_waf_reloads_total", "counter", "Configuration reloads, by result.")
	m.Sample("rampart_waf_reloads_total", float64(s.metrics.reloadsOK.Load()), "result", "success")
	m.Sample("rampart_waf_reloads_total", float64(s.metrics.reloadsFailed.Load()), "result", "failure")

	syslog := s.events.Stats()
	m.Family("rampart_waf_syslog_messages_total", "counter", "Security events for events.syslog, by result: sent, or dropped (queue full, server unreachable).")
	m.Sample("rampart_waf_syslog_messages_total", float64(syslog.Sent), "result", "sent")
	m.Sample("rampart_waf_syslog_messages_total", float64(syslog.Dropped), "result", "dropped")
}

func writeSiteCounters(m *admin.MetricsWriter, site string, c *siteCounters) {
	for action, actionLabel := range actionLabels {
		for class, label := range statusClassLabels {
			if n := c.byClass[action][class].Load(); n > 0 {
				m.Sample("rampart_waf_requests_total", float64(n), "site", site, "code", label, "action", actionLabel)
			}
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

// actionTotals sums the requests of every site (and of no site) by action.
func (m *metrics) actionTotals() [actionCount]uint64 {
	var totals [actionCount]uint64
	add := func(c *siteCounters) {
		for action := range c.byClass {
			for class := range c.byClass[action] {
				totals[action] += c.byClass[action][class].Load()
			}
		}
	}
	add(&m.unrouted)
	m.sites.Range(func(_, c any) bool {
		add(c.(*siteCounters))
		return true
	})
	return totals
}
