package cdr

import (
	"sort"

	"github.com/rampart-sec/rampart/runtime/admin"
)

// WriteMetrics writes the sensor's metrics. rampart_cdr_bytes_total is the figure to
// autoscale on (the original guide scales out above 500 MB average over 10 minutes).
func (s *Sensor) WriteMetrics(m *admin.MetricsWriter) {
	d := s.details()
	m.Family("rampart_cdr_packets_total", "counter", "Frames or VXLAN datagrams received, per source.")
	for _, src := range d.Sources {
		m.Sample("rampart_cdr_packets_total", float64(src.Packets), "source", src.Name)
	}
	m.Family("rampart_cdr_bytes_total", "counter", "Bytes received (mirror encapsulation included), per source.")
	for _, src := range d.Sources {
		m.Sample("rampart_cdr_bytes_total", float64(src.Bytes), "source", src.Name)
	}
	m.Family("rampart_cdr_frames_total", "counter", "Frames by decoding result: decoded, truncated (decoded as far as they go), malformed, not_ip, filtered (VNI filter).")
	for _, src := range d.Sources {
		for _, r := range []struct {
			result string
			n      uint64
		}{{"decoded", src.Decoded}, {"truncated", src.Truncated}, {"malformed", src.Malformed}, {"not_ip", src.NotIP}, {"filtered", src.Filtered}} {
			m.Sample("rampart_cdr_frames_total", float64(r.n), "source", src.Name, "result", r.result)
		}
	}
	m.Family("rampart_cdr_flows_active", "gauge", "Flows in the flow table.")
	for _, src := range d.Sources {
		m.Sample("rampart_cdr_flows_active", float64(src.FlowsActive), "source", src.Name)
	}
	m.Family("rampart_cdr_flows_total", "counter", "Flows created.")
	for _, src := range d.Sources {
		m.Sample("rampart_cdr_flows_total", float64(src.FlowsCreated), "source", src.Name)
	}
	m.Family("rampart_cdr_drops_total", "counter", "Traffic or findings not inspected or not delivered: kernel (socket queue full), flows_evicted (flow table full), findings (findings queue full).")
	m.Sample("rampart_cdr_drops_total", float64(d.Drops.Kernel), "reason", "kernel")
	m.Sample("rampart_cdr_drops_total", float64(d.Drops.FlowsEvicted), "reason", "flows_evicted")
	m.Sample("rampart_cdr_drops_total", float64(d.Drops.Findings), "reason", "findings")
	m.Family("rampart_cdr_findings_total", "counter", "Findings raised, by type (before duplicate suppression).")
	types := make([]string, 0, len(d.FindingsByType))
	for t := range d.FindingsByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		m.Sample("rampart_cdr_findings_total", float64(d.FindingsByType[t]), "type", t)
	}
	m.Family("rampart_cdr_findings_delivered_total", "counter", "Findings delivered to the outputs.")
	m.Sample("rampart_cdr_findings_delivered_total", float64(d.Publisher.Delivered))
	m.Family("rampart_cdr_findings_suppressed_total", "counter", "Repeated findings folded into an earlier one.")
	m.Sample("rampart_cdr_findings_suppressed_total", float64(d.Publisher.Suppressed))
}
