// Package config is the contract between the engine and rampart-cdr: the one definition of what
// the CDR sensor runtime accepts (see runtime/waf/config for the conventions of the tags). It starts
// small; the CDR sensor runtime issue grows it.
package config

import (
	"errors"
	"fmt"
	"net"
)

// Config is the whole configuration of one rampart-cdr process.
type Config struct {
	Listen Listen `json:"listen" hcl:"listen,block"`
	Admin  *Admin `json:"admin,omitempty" hcl:"admin,block"`
	// Detections and Findings are the detection engine's settings (detections.go).
	Detections *Detections `json:"detections,omitempty" hcl:"detections,block"`
	Findings   *Findings   `json:"findings,omitempty" hcl:"findings,block"`
}

// Listen says where mirrored traffic arrives.
type Listen struct {
	Address string `json:"address,omitempty" hcl:"address,optional"`
	VXLAN   int    `json:"vxlan,omitempty" hcl:"vxlan,optional"` // UDP, default 4789
}

// Admin configures the admin API.
type Admin struct {
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Defaults.
const (
	DefaultListenAddress = "127.0.0.1"
	DefaultAdminListen   = "127.0.0.1:9931"
	DefaultVXLANPort     = 4789
)

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
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen.VXLAN < 0 || c.Listen.VXLAN > 65535 {
		errs = append(errs, fmt.Errorf("listen.vxlan: port %d is out of range 1-65535", c.Listen.VXLAN))
	}
	if c.Listen.Address != "" && net.ParseIP(c.Listen.Address) == nil {
		errs = append(errs, fmt.Errorf("listen.address: %q is not an IP address", c.Listen.Address))
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
