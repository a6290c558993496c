package config

import "time"

// Profile names a trade-off between speed and depth; a job picks one and Limits may
// override its figures.
type Profile struct {
	Name string
	// Ports is the port set scanned when the job names none.
	Ports string
	// Retries is how often an unanswered probe is sent again. Dropped packets under load
	// are the reason: one retry already makes a missed open port unlikely.
	Retries int
	// MinProbeTimeout and MaxProbeTimeout bound the adaptive per-host probe timeout.
	MinProbeTimeout time.Duration
	MaxProbeTimeout time.Duration
	// Services turns service and TLS fingerprinting on; Checks turns vulnerability checks on.
	Services bool
	Checks   bool
	// ServiceTimeout bounds the detection of one port, all probes included.
	ServiceTimeout time.Duration
}

// Profile names.
const (
	ProfileDiscovery = "discovery"
	ProfileStandard  = "standard"
	ProfileThorough  = "thorough"
)

var profiles = map[string]Profile{
	ProfileDiscovery: {Name: ProfileDiscovery, Ports: "top100", Retries: 1,
		MinProbeTimeout: 50 * time.Millisecond, MaxProbeTimeout: time.Second},
	ProfileStandard: {Name: ProfileStandard, Ports: "top1000", Retries: 2,
		MinProbeTimeout: 100 * time.Millisecond, MaxProbeTimeout: 1500 * time.Millisecond,
		Services: true, Checks: true, ServiceTimeout: 5 * time.Second},
	ProfileThorough: {Name: ProfileThorough, Ports: "all", Retries: 3,
		MinProbeTimeout: 200 * time.Millisecond, MaxProbeTimeout: 3 * time.Second,
		Services: true, Checks: true, ServiceTimeout: 10 * time.Second},
}

// ProfileNamed returns the profile of that name; unknown names (rejected by Validate) get standard.
func ProfileNamed(name string) Profile {
	if p, ok := profiles[name]; ok {
		return p
	}
	return profiles[ProfileStandard]
}

// Timing is a profile with the Limits overrides applied.
func (c *Config) Timing(profile string) Profile {
	p := ProfileNamed(profile)
	l := c.Limits
	if l == nil {
		return p
	}
	if l.Retries > 0 {
		p.Retries = l.Retries
	}
	if d, err := time.ParseDuration(l.MinProbeTimeout); err == nil && d > 0 {
		p.MinProbeTimeout = d
	}
	if d, err := time.ParseDuration(l.MaxProbeTimeout); err == nil && d > 0 {
		p.MaxProbeTimeout = d
	}
	if d, err := time.ParseDuration(l.ServiceTimeout); err == nil && d > 0 {
		p.ServiceTimeout = d
	}
	if p.MaxProbeTimeout < p.MinProbeTimeout {
		p.MaxProbeTimeout = p.MinProbeTimeout
	}
	return p
}
