// Package config is the contract between the engine and rampart-scanner: the one definition of what
// the scanner runtime accepts (see runtime/waf/config for the conventions of the tags). It starts
// small; the scanner runtime issue grows it.
package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Config is the whole configuration of one rampart-scanner process.
type Config struct {
	Admin   *Admin   `json:"admin,omitempty" hcl:"admin,block"`
	Targets []string `json:"targets,omitempty" hcl:"targets,optional"` // hosts, CIDRs, ranges
	Ports   string   `json:"ports,omitempty" hcl:"ports,optional"`     // e.g. "top100", "1-1024", "all"
}

// Admin configures the admin API.
type Admin struct {
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Defaults.
const (
	DefaultAdminListen = "127.0.0.1:9921"
	DefaultPorts       = "top100"
)

// ApplyDefaults fills unset fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.Admin == nil {
		c.Admin = &Admin{}
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = DefaultAdminListen
	}
	if c.Ports == "" {
		c.Ports = DefaultPorts
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	for i, t := range c.Targets {
		if strings.TrimSpace(t) == "" {
			errs = append(errs, fmt.Errorf("targets[%d]: empty target", i))
		}
	}
	return errors.Join(errs...)
}

// RestartFields names settings that need a restart rather than a reload.
func (c *Config) RestartFields(prev *Config) []string {
	if c.AdminListen() != prev.AdminListen() {
		return []string{"admin.listen"}
	}
	return nil
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
