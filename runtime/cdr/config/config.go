// Package config is the contract between the engine and rampart-cdr: the one definition of
// what the CDR sensor runtime accepts (see runtime/waf/config for the conventions of the
// tags). The schema decodes the HCL cdr_sensor block into it, the runtime loads it from
// JSON with Parse, and both validate with Validate.
//
//	listen {
//	  address   = "0.0.0.0"    # where mirrored traffic arrives (default 127.0.0.1)
//	  vxlan     = 4789         # UDP port of the VXLAN datagrams (AWS Traffic Mirroring)
//	  health    = 4790         # TCP port that accepts load-balancer health checks (default off)
//	  interface = "eth1"       # also read this interface's frames (AF_PACKET; default none)
//	}
//	filter { vnis = [5569041] }                        # only these mirror sessions (default all)
//	flows  { max_flows = 262144, idle_timeout = "60s" } # the flow table's bounds
//	detections { ... }  findings { ... }               # detections.go
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Config is the whole configuration of one rampart-cdr process.
type Config struct {
	Listen Listen  `json:"listen" hcl:"listen,block"`
	Admin  *Admin  `json:"admin,omitempty" hcl:"admin,block"`
	Filter *Filter `json:"filter,omitempty" hcl:"filter,block"`
	Flows  *Flows  `json:"flows,omitempty" hcl:"flows,block"`
	// Detections and Findings are the detection engine's settings (detections.go).
	Detections *Detections `json:"detections,omitempty" hcl:"detections,block"`
	Findings   *Findings   `json:"findings,omitempty" hcl:"findings,block"`
}

// Listen says where mirrored traffic arrives. Changing it needs a restart.
type Listen struct {
	// Address is the IP the VXLAN and health ports bind; default 127.0.0.1. A sensor
	// behind an AWS Network Load Balancer listens on 0.0.0.0.
	Address string `json:"address,omitempty" hcl:"address,optional"`
	VXLAN   int    `json:"vxlan,omitempty" hcl:"vxlan,optional"` // UDP, default 4789
	// Health is a TCP port that accepts and closes connections while the sensor is ready:
	// what a load balancer's TCP health check needs (VXLAN is UDP and cannot be probed).
	// 0 (the default) opens none.
	Health int `json:"health,omitempty" hcl:"health,optional"`
	// Interface is a network interface whose frames are read too (AF_PACKET, needs
	// CAP_NET_RAW): a SPAN port or a local capture. Empty reads none.
	Interface string `json:"interface,omitempty" hcl:"interface,optional"`
}

// Admin configures the admin API.
type Admin struct {
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Filter selects which traffic is inspected. It is reloadable.
type Filter struct {
	// VNIs lists the VXLAN network identifiers (mirror sessions) to inspect; empty
	// inspects all. Frames of other VNIs are counted as filtered.
	VNIs []int `json:"vnis,omitempty" hcl:"vnis,optional"`
}

// Flows bounds the flow table.
type Flows struct {
	// MaxFlows bounds memory: when full, the least recently active flow is ended early
	// (counted as evicted in /status and /metrics). Default 262144.
	MaxFlows int `json:"max_flows,omitempty" hcl:"max_flows,optional"`
	// IdleTimeout ends a flow without packets for this long. Default "60s".
	IdleTimeout string `json:"idle_timeout,omitempty" hcl:"idle_timeout,optional"`
	// ActiveTimeout reports a long flow in parts of this length. Default "30m".
	ActiveTimeout string `json:"active_timeout,omitempty" hcl:"active_timeout,optional"`
	// AttemptTimeout is how long a SYN waits for an answer before it counts as
	// unanswered (a scan probe to a filtered port). Default "5s".
	AttemptTimeout string `json:"attempt_timeout,omitempty" hcl:"attempt_timeout,optional"`
}

// Defaults.
const (
	DefaultListenAddress  = "127.0.0.1"
	DefaultAdminListen    = "127.0.0.1:9931"
	DefaultVXLANPort      = 4789
	DefaultMaxFlows       = 1 << 18
	DefaultIdleTimeout    = "60s"
	DefaultActiveTimeout  = "30m"
	DefaultAttemptTimeout = "5s"
	maxVNI                = 1<<24 - 1
)

// Parse decodes a JSON configuration (unknown fields are errors), applies the defaults and
// validates it.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var c Config
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
	if c.Listen.Address == "" {
		c.Listen.Address = DefaultListenAddress
	}
	if c.Listen.VXLAN == 0 {
		c.Listen.VXLAN = DefaultVXLANPort
	}
	if c.Admin == nil {
		c.Admin = &Admin{}
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = DefaultAdminListen
	}
	if c.Filter == nil {
		c.Filter = &Filter{}
	}
	if c.Flows == nil {
		c.Flows = &Flows{}
	}
	if c.Flows.MaxFlows == 0 {
		c.Flows.MaxFlows = DefaultMaxFlows
	}
	if c.Flows.IdleTimeout == "" {
		c.Flows.IdleTimeout = DefaultIdleTimeout
	}
	if c.Flows.ActiveTimeout == "" {
		c.Flows.ActiveTimeout = DefaultActiveTimeout
	}
	if c.Flows.AttemptTimeout == "" {
		c.Flows.AttemptTimeout = DefaultAttemptTimeout
	}
	if c.Detections == nil {
		c.Detections = &Detections{}
	}
	c.Detections.ApplyDefaults()
	if c.Findings == nil {
		c.Findings = &Findings{}
	}
	c.Findings.ApplyDefaults()
}

// Validate checks the configuration; every error names the field path and what to do.
func (c *Config) Validate() error {
	var errs []error
	port := func(path string, p int) {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s: port %d is out of range 1-65535", path, p))
		}
	}
	port("listen.vxlan", c.Listen.VXLAN)
	port("listen.health", c.Listen.Health)
	if c.Listen.Health != 0 && c.Listen.Health == c.Listen.VXLAN {
		// Different protocols could share it, but a health check on the data port confuses
		// every operator who reads the load balancer's configuration.
		errs = append(errs, fmt.Errorf("listen.health: port %d is the VXLAN port; choose another (e.g. %d)", c.Listen.Health, c.Listen.VXLAN+1))
	}
	if c.Listen.Address != "" && net.ParseIP(c.Listen.Address) == nil {
		errs = append(errs, fmt.Errorf("listen.address: %q is not an IP address; write e.g. 0.0.0.0 or 127.0.0.1", c.Listen.Address))
	}
	if strings.ContainsAny(c.Listen.Interface, " /") {
		errs = append(errs, fmt.Errorf("listen.interface: %q is not an interface name (see `ip link`)", c.Listen.Interface))
	}
	if c.Filter != nil {
		for i, vni := range c.Filter.VNIs {
			if vni < 0 || vni > maxVNI {
				errs = append(errs, fmt.Errorf("filter.vnis[%d]: %d is not a VNI (0-%d)", i, vni, maxVNI))
			}
		}
	}
	if f := c.Flows; f != nil {
		if f.MaxFlows < 0 {
			errs = append(errs, fmt.Errorf("flows.max_flows: %d is negative; leave it unset for the default %d", f.MaxFlows, DefaultMaxFlows))
		}
		for _, d := range []struct{ path, value string }{
			{"flows.idle_timeout", f.IdleTimeout}, {"flows.active_timeout", f.ActiveTimeout}, {"flows.attempt_timeout", f.AttemptTimeout},
		} {
			if d.value == "" {
				continue
			}
			if v, err := time.ParseDuration(d.value); err != nil || v <= 0 {
				errs = append(errs, fmt.Errorf("%s: %q is not a positive duration; write e.g. \"30s\" or \"5m\"", d.path, d.value))
			}
		}
	}
	if err := c.Detections.Validate("detections"); err != nil {
		errs = append(errs, err)
	}
	if err := c.Findings.Validate("findings"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RestartFields names settings that need a restart rather than a reload.
func (c *Config) RestartFields(prev *Config) []string {
	var f []string
	if c.Listen != prev.Listen {
		f = append(f, "listen")
	}
	if c.AdminListen() != prev.AdminListen() {
		f = append(f, "admin.listen")
	}
	return f
}

// AdminListen is the admin API address after defaults.
func (c *Config) AdminListen() string {
	if c.Admin == nil || c.Admin.Listen == "" {
		return DefaultAdminListen
	}
	return c.Admin.Listen
}

// ServiceAddress is where mirrored traffic is sent.
func (c *Config) ServiceAddress() string {
	return "udp://" + net.JoinHostPort(c.Listen.Address, fmt.Sprint(c.Listen.VXLAN))
}
