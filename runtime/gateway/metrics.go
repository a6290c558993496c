package gateway

import (
	"github.com/rampart-sec/rampart/runtime/admin"
)

// WriteMetrics writes the gateway's metrics for GET /metrics.
func (s *Server) WriteMetrics(m *admin.MetricsWriter) {
	gauge := func(name, help string, v float64) {
		m.Family(name, "gauge", help)
		m.Sample(name, v)
	}
	counter := func(name, help string, v uint64) {
		m.Family(name, "counter", help)
		m.Sample(name, float64(v))
	}
	gauge("rampart_gateway_unique_client_ips", "Distinct client IPs of the proxy port in the last 60 minutes.", float64(s.stats.Clients.Count()))
	gauge("rampart_gateway_active_agents", "Distinct clients of the cache port in the last 60 minutes.", float64(s.stats.Agents.Count()))
	gauge("rampart_gateway_connections", "Client connections open on the proxy port.", float64(s.stats.Connections.Load()))
	gauge("rampart_gateway_tunnels", "CONNECT tunnels open.", float64(s.stats.Tunnels.Load()))
	counter("rampart_gateway_upstream_errors_total", "Connections to destinations or the upstream proxy that failed.", s.stats.UpstreamErrors.Load())

	domains := s.stats.Domains()
	m.Family("rampart_gateway_requests_total", "counter", "Plain-HTTP requests and CONNECT tunnels by destination domain.")
	for _, d := range domains {
		m.Sample("rampart_gateway_requests_total", float64(d.Requests), "domain", d.Domain)
	}
	m.Family("rampart_gateway_bytes_total", "counter", "Bytes relayed by destination domain; direction in is from the destination.")
	for _, d := range domains {
		m.Sample("rampart_gateway_bytes_total", float64(d.BytesIn), "domain", d.Domain, "direction", "in")
		m.Sample("rampart_gateway_bytes_total", float64(d.BytesOut), "domain", d.Domain, "direction", "out")
	}
	m.Family("rampart_gateway_denied_total", "counter", "Refused requests by reason class.")
	for class, n := range s.stats.DeniedCounts() {
		m.Sample("rampart_gateway_denied_total", float64(n), "reason", class)
	}

	c := s.cache.Stats()
	counter("rampart_gateway_cache_hits_total", "Cache port requests answered from the memory cache or the patch store.", c.Hits)
	counter("rampart_gateway_cache_misses_total", "Cache port requests that went to the origin.", c.Misses)
	counter("rampart_gateway_cache_bandwidth_saved_bytes_total", "Upstream bytes the cache avoided.", c.BandwidthSaved)
	counter("rampart_gateway_cache_upstream_errors_total", "Cache port fetches that failed.", c.UpstreamErrors)
	gauge("rampart_gateway_cache_bytes", "Bytes held by the memory cache.", float64(c.BytesUsed))
	gauge("rampart_gateway_cache_capacity_bytes", "Size of the memory cache.", float64(c.CapacityBytes))
	gauge("rampart_gateway_patch_bytes", "Bytes held by the patch store.", float64(c.PatchBytesUsed))

	counter("rampart_gateway_reloads_total", "Successful configuration reloads.", s.reloadsOK.Load())
	counter("rampart_gateway_reloads_failed_total", "Refused configuration reloads (the running configuration was kept).", s.reloadsFailed.Load())
}
