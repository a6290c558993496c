package cdr

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/version"
)

// statusDetails is the sensor-specific part of GET /status.
type statusDetails struct {
	Sources        []sourceStatus    `json:"sources"`
	Packets        uint64            `json:"packets"`
	Bytes          uint64            `json:"bytes"`
	FlowsActive    int               `json:"flows_active"`
	Drops          drops             `json:"drops"`
	Findings       uint64            `json:"findings"`
	FindingsByType map[string]uint64 `json:"findings_by_type"`
	Publisher      findings.Stats    `json:"publisher"`
}

type sourceStatus struct {
	Name         string `json:"name"`
	Packets      uint64 `json:"packets"`
	Bytes        uint64 `json:"bytes"`
	Decoded      uint64 `json:"decoded"`
	Truncated    uint64 `json:"truncated"`
	Malformed    uint64 `json:"malformed"`
	NotIP        uint64 `json:"not_ip"`
	Filtered     uint64 `json:"filtered"`
	FlowsActive  int    `json:"flows_active"`
	FlowsCreated uint64 `json:"flows_created"`
	FlowsEvicted uint64 `json:"flows_evicted"`
	KernelDrops  uint64 `json:"kernel_drops"`
}

// drops are the three ways traffic goes uninspected: the kernel's socket queue overflowed,
// the flow table was full, the findings queue was full.
type drops struct {
	Kernel       uint64 `json:"kernel"`
	FlowsEvicted uint64 `json:"flows_evicted"`
	Findings     uint64 `json:"findings"`
}

// Ready reports whether the sensor's sources are bound and read.
func (s *Sensor) Ready() bool { return s.ready.Load() }

func (s *Sensor) details() statusDetails {
	d := statusDetails{Sources: []sourceStatus{}}
	for _, src := range s.sources {
		c := src.pipeline.Counters()
		st := sourceStatus{
			Name: src.name, Packets: c.Packets, Bytes: c.Bytes, Decoded: c.Decoded, Truncated: c.Truncated,
			Malformed: c.Malformed, NotIP: c.NotIP, Filtered: c.Filtered, FlowsActive: c.Flows.Active,
			FlowsCreated: c.Flows.Created, FlowsEvicted: c.Flows.Evicted, KernelDrops: src.drops.Load(),
		}
		d.Sources = append(d.Sources, st)
		d.Packets += st.Packets
		d.Bytes += st.Bytes
		d.FlowsActive += st.FlowsActive
		d.Drops.Kernel += st.KernelDrops
		d.Drops.FlowsEvicted += st.FlowsEvicted
	}
	d.FindingsByType, d.Findings = s.findings.snapshot()
	d.Publisher = s.publisher.Load().Stats()
	d.Drops.Findings = d.Publisher.Dropped
	return d
}

// Status describes the running sensor for GET /status; Facts are what `rampart status`
// shows.
func (s *Sensor) Status() admin.Status {
	lc := s.current.Load()
	d := s.details()
	return admin.Status{
		Kind:             "cdr_sensor",
		Version:          version.Version,
		ConfigSHA256:     lc.sha256,
		ConfigGeneration: lc.generation,
		StartedAt:        s.startedAt,
		ConfigLoadedAt:   lc.loadedAt,
		Ready:            s.Ready(),
		RestartRequired:  lc.restartRequired,
		Components:       s.components(),
		Facts: []admin.Fact{
			{Name: "packets", Value: thousands(d.Packets)},
			{Name: "bytes in", Value: humanBytes(d.Bytes)},
			{Name: "flows", Value: thousands(uint64(d.FlowsActive))},
			{Name: "drops", Value: fmt.Sprintf("%s kernel, %s flows evicted, %s findings",
				thousands(d.Drops.Kernel), thousands(d.Drops.FlowsEvicted), thousands(d.Drops.Findings))},
			{Name: "findings", Value: findingsFact(d.Findings, d.FindingsByType)},
		},
		Details: d,
	}
}

// components are the sources, each UP while the sensor reads it.
func (s *Sensor) components() []admin.Component {
	var out []admin.Component
	health := "DOWN"
	if s.Ready() {
		health = "UP"
	}
	for _, src := range s.sources {
		out = append(out, admin.Component{Name: src.name, Health: health})
	}
	return out
}

// findingsFact is "3 (port_scan 2, coin_miner 1)".
func findingsFact(total uint64, byType map[string]uint64) string {
	if total == 0 {
		return "0"
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if byType[types[i]] != byType[types[j]] {
			return byType[types[i]] > byType[types[j]]
		}
		return types[i] < types[j]
	})
	out := thousands(total) + " ("
	for i, t := range types {
		if i > 0 {
			out += ", "
		}
		out += t + " " + thousands(byType[t])
	}
	return out + ")"
}

// thousands formats 1234567 as "1,234,567".
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
