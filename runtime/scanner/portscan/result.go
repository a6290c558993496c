// Package portscan finds the open TCP ports of hosts: host discovery first, then a connect
// scan (no privileges) or a SYN scan (raw socket, CAP_NET_RAW). Both share the same timing
// model: an adaptive per-host timeout from measured round-trip times, rounds of retries for
// unanswered probes, a global in-flight budget and packets-per-second limit (Budget), and a
// per-host concurrency cap. Filtered ports (no answer) are what costs time, so the in-flight
// budget, not the number of open ports, decides how fast a scan is.
package portscan

import (
	"net/netip"
	"time"
)

// HostResult is what a port scan learned about one host.
type HostResult struct {
	Addr netip.Addr `json:"addr"`
	// Open are the ports that accepted a connection (connect) or answered SYN-ACK (syn), sorted.
	Open []uint16 `json:"open"`
	// Closed counts ports that answered with a reset; Filtered those that never answered.
	Closed   int `json:"closed"`
	Filtered int `json:"filtered"`
	// SRTT is the smoothed round-trip time measured from answered probes.
	SRTT time.Duration `json:"srtt_ns"`
	// Probes counts probes sent, retries included.
	Probes   int           `json:"probes"`
	Duration time.Duration `json:"duration_ns"`
}

// Options steer the scan of one host.
type Options struct {
	Ports []uint16
	// Retries is how often an unanswered port is probed again, each round with twice the timeout.
	Retries int
	// MinTimeout and MaxTimeout bound the adaptive probe timeout.
	MinTimeout, MaxTimeout time.Duration
	// PerHost caps the probes in flight to this host (0: only the Budget limits).
	PerHost int
	// InitialRTT seeds the adaptive timeout (host discovery measured it); 0: start at MaxTimeout.
	InitialRTT time.Duration
}

func (o Options) withDefaults() Options {
	if o.MinTimeout <= 0 {
		o.MinTimeout = 100 * time.Millisecond
	}
	if o.MaxTimeout < o.MinTimeout {
		o.MaxTimeout = max(o.MinTimeout, 1500*time.Millisecond)
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	return o
}
