// Package config is the contract between the engine and rampart-gateway: the one definition of what
// the gateway runtime accepts (see runtime/waf/config for the conventions of the tags). It starts
// small; the gateway runtime issue grows it.
package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Config is the whole configuration of one rampart-gateway process.
type Config struct {
	Listen         Listen   `json:"listen" hcl:"listen,block"`
	Admin          *Admin   `json:"admin,omitempty" hcl:"admin,block"`
	AllowedDomains []string `json:"allowed_domains,omitempty" hcl:"allowed_domains,optional"`
	// CA, Cache and Patch are the cache port's settings (cache.go).
	CA    *CA    `json:"ca,omitempty" hcl:"ca,block"`
	Cache *Cache `json:"cache,omitempty" hcl:"cache,block"`
	Patch *Patch `json:"patch,omitempty" hcl:"patch,block"`
}

// Listen says where the gateway accepts clients.
type Listen struct {
	Address string `json:"address,omitempty" hcl:"address,optional"`
	Proxy   int    `json:"proxy,omitempty" hcl:"proxy,optional"` // explicit forward proxy, default 1080
	Cache   int    `json:"cache,omitempty" hcl:"cache,optional"` // caching port, default 8080
}

// Admin configures the admin API.
type Admin struct {
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Defaults.
const (
	DefaultListenAddress = "127.0.0.1"
	DefaultAdminListen   = "127.0.0.1:9911"
	DefaultProxyPort     = 1080
	DefaultCachePort     = 8080
)

// ApplyDefaults fills unset fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.Listen.Address == "" {
		c.Listen.Address = DefaultListenAddress
	}
	if c.Listen.Proxy == 0 {
		c.Listen.Proxy = DefaultProxyPort
	}
	if c.Listen.Cache == 0 {
		c.Listen.Cache = DefaultCachePort
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
	for name, port := range map[string]int{"listen.proxy": c.Listen.Proxy, "listen.cache": c.Listen.Cache} {
		if port < 0 || port > 65535 {
			errs = append(errs, fmt.Errorf("%s: port %d is out of range 1-65535", name, port))
		}
	}
	for i, d := range c.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "/: ") {
			errs = append(errs, fmt.Errorf("allowed_domains[%d]: %q is not a domain name", i, d))
		}
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

// ServiceAddress is where agents reach the proxy.
func (c *Config) ServiceAddress() string {
	return "http://" + net.JoinHostPort(c.Listen.Address, fmt.Sprint(c.Listen.Proxy))
}
