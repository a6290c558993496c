// Package detect is rampart-cdr's detection engine: the decoder feeds it connection
// attempts, finished flows, DNS, TLS ClientHellos, HTTP requests and TCP payloads (events.go),
// and it publishes findings. Each detector is a small package of its own (scan, miner,
// beacon, dga, dnstunnel, indicators); this package routes events to them and turns their
// reports into findings.Finding values. README.md lists every threshold.
//
// Time comes only from the events (packet timestamps) and Tick, never from the wall clock,
// so replaying a pcap gives the same findings as live traffic.
package detect

import (
	"fmt"
	"reflect"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/beacon"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/dga"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/dnstunnel"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/indicators"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/miner"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/scan"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// flowIdle is how long a flow with no payload keeps its miner-inspection state when the
// decoder never reported its end.
const flowIdle = 10 * time.Minute

// Engine runs every enabled detector. It is NOT safe for concurrent use: the decoder calls it
// from one goroutine (or shards traffic over several Engines by flow hash).
type Engine struct {
	cfg     config.Detections
	publish func(findings.Finding)

	scan       *scan.Detector     // nil when disabled
	miner      *miner.Inspector   // nil when disabled
	beacon     *beacon.Tracker    // nil when disabled
	dga        *dga.Tracker       // nil when disabled
	tunnel     *dnstunnel.Tracker // nil when disabled
	indicators *indicators.Lists  // never nil
	repeats    *repeatLimiter     // rate-limits per-packet indicator hits
	counts     map[string]uint64  // findings published by type
}

// New builds an Engine from settings (defaults are applied to a copy) and a publish
// function that must not block (findings.Publisher.Publish queues and returns).
func New(cfg *config.Detections, publish func(findings.Finding)) (*Engine, error) {
	e := &Engine{publish: publish, repeats: newRepeatLimiter(), counts: make(map[string]uint64)}
	if err := e.Reload(cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload applies new settings. Indicator lists and miner signatures are re-read from their
// files; a detector whose settings did not change keeps its state. On error nothing changes.
func (e *Engine) Reload(cfg *config.Detections) error {
	next := config.Detections{}
	if cfg != nil {
		next = *cfg
	}
	next.ApplyDefaults()
	if err := next.Validate("detections"); err != nil {
		return err
	}
	lists, err := indicators.Load(next.Indicators.IPs, next.Indicators.Domains, next.Indicators.JA3)
	if err != nil {
		return fmt.Errorf("reload detections: %w", err)
	}
	var sigs []miner.Signature
	if !next.Miner.Disabled {
		if sigs, err = miner.LoadSignatures(next.Miner.Signatures); err != nil {
			return fmt.Errorf("reload detections: %w", err)
		}
	}
	first := e.indicators == nil
	prev := e.cfg
	e.cfg, e.indicators = next, lists

	if first || !reflect.DeepEqual(prev.Scan, next.Scan) {
		e.scan = nil
		if s := next.Scan; !s.Disabled {
			e.scan = scan.New(scan.Config{Threshold: s.Threshold, Window: config.DurationOr(s.Window, 15*time.Minute), MaxSources: s.MaxSources})
		}
	}
	// Signatures are always re-read, so the inspector is rebuilt on every reload.
	e.miner = nil
	if m := next.Miner; !m.Disabled {
		e.miner = miner.New(miner.Config{ProtocolBytes: m.ProtocolBytes, BinaryBytes: m.BinaryBytes, MaxFlows: m.MaxFlows, Signatures: sigs})
	}
	if first || !reflect.DeepEqual(prev.Beacon, next.Beacon) {
		e.beacon = nil
		if b := next.Beacon; !b.Disabled {
			e.beacon = beacon.NewTracker(beacon.Config{
				Threshold: b.Threshold, MinConnections: b.MinConnections,
				Window:     config.DurationOr(b.Window, 24*time.Hour),
				ScoreEvery: config.DurationOr(b.ScoreEvery, 10*time.Minute),
				MaxPairs:   b.MaxPairs, MaxSamples: b.MaxSamples,
			})
		}
	}
	if first || !reflect.DeepEqual(prev.DGA, next.DGA) {
		e.dga = nil
		if g := next.DGA; !g.Disabled {
			e.dga = dga.NewTracker(dga.Config{MinNames: g.MinNames, Window: config.DurationOr(g.Window, time.Hour), MaxClients: g.MaxClients})
		}
	}
	if first || !reflect.DeepEqual(prev.DNSTunnel, next.DNSTunnel) {
		e.tunnel = nil
		if t := next.DNSTunnel; !t.Disabled {
			e.tunnel = dnstunnel.NewTracker(dnstunnel.Config{
				UniqueNames: t.UniqueNames, LongLabel: t.LongLabel, MaxBytes: t.MaxBytes,
				Window: config.DurationOr(t.Window, 10*time.Minute), MaxDomains: t.MaxDomains,
			})
		}
	}
	return nil
}

// Stats are the engine's counters for /status and /metrics.
type Stats struct {
	FindingsByType map[string]uint64
	// Dropped counts events a detector ignored because its memory bound was reached.
	Dropped     map[string]uint64
	Indicators  int
	MinerFlows  int
	BeaconPairs int
}

// Stats returns a snapshot of the counters (call it from the engine's goroutine).
func (e *Engine) Stats() Stats {
	s := Stats{FindingsByType: make(map[string]uint64, len(e.counts)), Dropped: map[string]uint64{}, Indicators: e.indicators.Len()}
	for k, v := range e.counts {
		s.FindingsByType[k] = v
	}
	if e.scan != nil {
		s.Dropped["scan"] = e.scan.Dropped()
	}
	if e.miner != nil {
		s.Dropped["miner"] = e.miner.Dropped()
		s.MinerFlows = e.miner.Flows()
	}
	if e.beacon != nil {
		s.Dropped["beacon"] = e.beacon.Dropped()
		s.BeaconPairs = e.beacon.Pairs()
	}
	if e.dga != nil {
		s.Dropped["dga"] = e.dga.Dropped()
	}
	if e.tunnel != nil {
		s.Dropped["dns_tunnel"] = e.tunnel.Dropped()
	}
	return s
}

// Tick expires windows and scores beacons; call it about once a second with the newest
// packet time (during a replay, the capture's time).
func (e *Engine) Tick(now time.Time) {
	if e.scan != nil {
		e.scan.Expire(now)
	}
	if e.dga != nil {
		e.dga.Expire(now)
	}
	if e.tunnel != nil {
		e.tunnel.Expire(now)
	}
	if e.miner != nil {
		e.miner.Expire(now, flowIdle)
	}
	e.repeats.expire(now)
	if e.beacon != nil && e.beacon.Due(now) {
		for _, r := range e.beacon.ScoreAll(now) {
			e.emit(beaconFinding(r))
		}
	}
}

func (e *Engine) emit(f findings.Finding) {
	e.counts[f.Type]++
	e.publish(f)
}
