// Package config is the contract between the engine and rampart-scanner: the one definition of
// what the scanner runtime accepts (see runtime/waf/config for the conventions of the tags: json
// name == HCL name; "name,optional" attributes, "name,block" nested blocks, "name,label").
//
// A scanner runs jobs. The top-level targets, exclude, ports, profile, interval and cron form
// the job named "default" (handy for one scanner, one job); job "name" {} blocks add more.
// A job with neither interval nor cron runs once, when the scanner starts.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
)

// Config is the whole configuration of one rampart-scanner process.
type Config struct {
	Admin *Admin `json:"admin,omitempty" hcl:"admin,block"`
	// Targets are hosts, CIDRs (10.0.0.0/24), ranges (10.0.0.1-20, 10.0.0.1-10.0.1.5) and names.
	Targets []string `json:"targets,omitempty" hcl:"targets,optional"`
	// Exclude takes the same forms as targets; excluded addresses are never probed.
	Exclude []string `json:"exclude,omitempty" hcl:"exclude,optional"`
	// Ports is a port set: "top100", "top1000", "all", "22,80,8000-8100" (default: the profile's).
	Ports string `json:"ports,omitempty" hcl:"ports,optional"`
	// Profile is discovery, standard (default) or thorough: ports, probes and timeouts.
	Profile string `json:"profile,omitempty" hcl:"profile,optional"`
	// Interval repeats the default job ("6h"); Cron does it on a schedule ("0 3 * * *").
	Interval string `json:"interval,omitempty" hcl:"interval,optional"`
	Cron     string `json:"cron,omitempty" hcl:"cron,optional"`
	// Jobs are further named scans.
	Jobs []Job `json:"job,omitempty" hcl:"job,block"`

	// Mode is how ports are probed: connect (no privileges), syn (raw socket, needs
	// CAP_NET_RAW) or auto (default: syn when permitted, else connect with a notice).
	Mode string `json:"mode,omitempty" hcl:"mode,optional"`
	// RateLimit caps probes sent per second, all jobs together (default 0: no cap beyond capacity).
	RateLimit int `json:"rate_limit,omitempty" hcl:"rate_limit,optional"`
	// SkipHostDiscovery scans every target as if it answered (nmap -Pn).
	SkipHostDiscovery bool `json:"skip_host_discovery,omitempty" hcl:"skip_host_discovery,optional"`
	// DataDir holds findings (JSON lines) and per-run summaries (default /var/lib/rampart-scanner).
	DataDir string `json:"data_dir,omitempty" hcl:"data_dir,optional"`
	// ServiceProbesFile is the user's own probe file (e.g. their copy of nmap-service-probes);
	// opt-in, never bundled.
	ServiceProbesFile string `json:"service_probes_file,omitempty" hcl:"service_probes_file,optional"`
	// Limits override what the scanner derives from its CPU and memory limits.
	Limits *Limits `json:"limits,omitempty" hcl:"limits,block"`
}

// Admin configures the admin API.
type Admin struct {
	// Listen is "host:port" on loopback or "unix:/path/to/socket".
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Job is one named scan: what to scan, how thoroughly and when.
type Job struct {
	Name     string   `json:"name" hcl:"name,label"`
	Targets  []string `json:"targets" hcl:"targets,required"`
	Exclude  []string `json:"exclude,omitempty" hcl:"exclude,optional"`
	Ports    string   `json:"ports,omitempty" hcl:"ports,optional"`
	Profile  string   `json:"profile,omitempty" hcl:"profile,optional"`
	Interval string   `json:"interval,omitempty" hcl:"interval,optional"`
	Cron     string   `json:"cron,omitempty" hcl:"cron,optional"`
}

// Limits override the derived capacity and the profile's timing. Zero means derived/default.
type Limits struct {
	// InFlight is the most probes waiting for an answer at once, all hosts together.
	InFlight int `json:"in_flight,omitempty" hcl:"in_flight,optional"`
	// ParallelHosts is the most hosts scanned at once.
	ParallelHosts int `json:"parallel_hosts,omitempty" hcl:"parallel_hosts,optional"`
	// PerHost is the most probes in flight to one host.
	PerHost int `json:"per_host,omitempty" hcl:"per_host,optional"`
	// Retries is how often an unanswered probe is sent again.
	Retries int `json:"retries,omitempty" hcl:"retries,optional"`
	// MinProbeTimeout and MaxProbeTimeout bound the adaptive per-host timeout ("50ms", "1s").
	MinProbeTimeout string `json:"min_probe_timeout,omitempty" hcl:"min_probe_timeout,optional"`
	MaxProbeTimeout string `json:"max_probe_timeout,omitempty" hcl:"max_probe_timeout,optional"`
	// ServiceTimeout bounds service detection of one port, all probes included.
	ServiceTimeout string `json:"service_timeout,omitempty" hcl:"service_timeout,optional"`
}

// Defaults.
const (
	DefaultAdminListen = "127.0.0.1:9921"
	DefaultProfile     = ProfileStandard
	DefaultMode        = ModeAuto
	DefaultDataDir     = "/var/lib/rampart-scanner"
	// DefaultJobName names the job made of the top-level targets.
	DefaultJobName = "default"
)

// Modes of probing.
const (
	ModeAuto    = "auto"
	ModeConnect = "connect"
	ModeSYN     = "syn"
)

// Load reads, defaults and validates a JSON configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scanner config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("scanner config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes JSON (unknown fields are errors: they are misspellings), applies defaults
// and validates.
func Parse(data []byte) (*Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ApplyDefaults fills unset fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.Admin == nil {
		c.Admin = &Admin{}
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = DefaultAdminListen
	}
	if c.Profile == "" {
		c.Profile = DefaultProfile
	}
	if c.Mode == "" {
		c.Mode = DefaultMode
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	for i := range c.Jobs {
		if c.Jobs[i].Profile == "" {
			c.Jobs[i].Profile = c.Profile
		}
	}
}

// AllJobs is the default job (when top-level targets are set) followed by the job blocks,
// each with its profile's port set filled in.
func (c *Config) AllJobs() []Job {
	var jobs []Job
	if len(c.Targets) > 0 {
		jobs = append(jobs, Job{
			Name: DefaultJobName, Targets: c.Targets, Exclude: c.Exclude, Ports: c.Ports,
			Profile: c.Profile, Interval: c.Interval, Cron: c.Cron,
		})
	}
	for _, j := range c.Jobs {
		j.Exclude = append(append([]string(nil), c.Exclude...), j.Exclude...)
		jobs = append(jobs, j)
	}
	for i := range jobs {
		if jobs[i].Profile == "" {
			jobs[i].Profile = DefaultProfile
		}
		if jobs[i].Ports == "" {
			jobs[i].Ports = ProfileNamed(jobs[i].Profile).Ports
		}
	}
	return jobs
}

// RestartFields names settings that need a restart rather than a reload: the admin address,
// and what the probing sockets and the in-flight budget are made with at start.
func (c *Config) RestartFields(prev *Config) []string {
	var fields []string
	if c.AdminListen() != prev.AdminListen() {
		fields = append(fields, "admin.listen")
	}
	if c.Mode != prev.Mode {
		fields = append(fields, "mode")
	}
	if c.RateLimit != prev.RateLimit {
		fields = append(fields, "rate_limit")
	}
	var l, p Limits
	if c.Limits != nil {
		l = *c.Limits
	}
	if prev.Limits != nil {
		p = *prev.Limits
	}
	if l.InFlight != p.InFlight {
		fields = append(fields, "limits.in_flight")
	}
	if l.ParallelHosts != p.ParallelHosts {
		fields = append(fields, "limits.parallel_hosts")
	}
	return fields
}

// AdminListen is the admin API address after defaults.
func (c *Config) AdminListen() string {
	if c.Admin == nil || c.Admin.Listen == "" {
		return DefaultAdminListen
	}
	return c.Admin.Listen
}

// ServiceAddress: a scanner serves no clients; its admin API is the way in.
func (c *Config) ServiceAddress() string {
	if _, _, err := net.SplitHostPort(c.AdminListen()); err == nil {
		return "http://" + c.AdminListen()
	}
	return c.AdminListen()
}
