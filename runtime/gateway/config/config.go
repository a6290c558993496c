// Package config is the contract between the engine and rampart-gateway: the one definition of
// what the gateway runtime accepts. The schema package decodes the HCL `gateway` block into
// this shape, providers render it as JSON, and the runtime loads that JSON with Load. Both
// sides validate with Validate, so a bad port or domain is an HCL error at plan time rather
// than a runtime surprise.
//
// Tags follow runtime/waf/config: `json` names the JSON field and equals the HCL name; `hcl`
// says "name,optional"/"name,required" attribute, "name,block" nested block (slice =
// repeatable, pointer = optional), "name,label" the block's label; secrets carry
// `sensitive:"true"`.
//
// Files: config.go (the whole, defaults, loading), destinations.go (what clients may reach),
// upstream.go (upstream proxy, host mappings), timeouts.go, ports.go (port rules), validate.go,
// cache.go (the cache port's settings).
package config

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Config is the whole configuration of one rampart-gateway process.
type Config struct {
	Listen Listen `json:"listen" hcl:"listen,block"`
	Admin  *Admin `json:"admin,omitempty" hcl:"admin,block"`

	// AllowedDomains is the short form of allow blocks: each entry ("example.com" or
	// ".example.com" for every subdomain) may be reached by tunnels to 443 and plain HTTP
	// to 80.
	AllowedDomains []string `json:"allowed_domains,omitempty" hcl:"allowed_domains,optional"`
	// Allow lists destinations with their own ports and rules (destinations.go).
	Allow []Allow `json:"allow,omitempty" hcl:"allow,block"`
	// NoDefaultDomains leaves out DefaultDomains (the operating-system update mirrors).
	NoDefaultDomains bool `json:"no_default_domains,omitempty" hcl:"no_default_domains,optional"`
	// RequireSNIMatch makes a CONNECT tunnel carry TLS whose ClientHello names the CONNECT
	// host (a guard against domain fronting).
	RequireSNIMatch bool `json:"require_sni_match,omitempty" hcl:"require_sni_match,optional"`

	// UpstreamProxy chains outgoing connections through another proxy (upstream.go).
	UpstreamProxy *UpstreamProxy `json:"upstream_proxy,omitempty" hcl:"upstream_proxy,block"`
	// HostMappings are static name → IP entries, like /etc/hosts: "repo.example.com" = "10.0.0.7".
	HostMappings map[string]string `json:"host_mappings,omitempty" hcl:"host_mappings,optional"`

	// TLSMinVersion is the lowest TLS version offered to clients on client-facing TLS
	// (the cache port's interception): "1.0", "1.1", "1.2" (default) or "1.3".
	TLSMinVersion string `json:"tls_min_version,omitempty" hcl:"tls_min_version,optional"`
	// AllowedClients are the client networks (CIDRs) patch mode serves.
	AllowedClients []string `json:"allowed_clients,omitempty" hcl:"allowed_clients,optional"`

	Timeouts *Timeouts `json:"timeouts,omitempty" hcl:"timeouts,block"`

	// CA, Cache and Patch are the cache port's settings (cache.go).
	CA    *CA    `json:"ca,omitempty" hcl:"ca,block"`
	Cache *Cache `json:"cache,omitempty" hcl:"cache,block"`
	Patch *Patch `json:"patch,omitempty" hcl:"patch,block"`
}

// Listen says where the gateway accepts clients.
type Listen struct {
	// Address is the IP to bind; default 127.0.0.1 (listen only where configured).
	Address string `json:"address,omitempty" hcl:"address,optional"`
	Proxy   int    `json:"proxy,omitempty" hcl:"proxy,optional"` // explicit forward proxy, default 1080
	Cache   int    `json:"cache,omitempty" hcl:"cache,optional"` // caching port, default 8080
}

// Admin configures the admin API.
type Admin struct {
	// Listen is "host:port" on loopback or "unix:/path/to/socket".
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Defaults.
const (
	DefaultListenAddress = "127.0.0.1"
	DefaultAdminListen   = "127.0.0.1:9911"
	DefaultProxyPort     = 1080
	DefaultCachePort     = 8080
	DefaultTLSMinVersion = "1.2"
)

// Load reads, defaults and validates a JSON configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read gateway config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("gateway config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes, defaults and validates JSON configuration. Unknown fields are errors so a
// typo never silently opens or closes a destination.
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
	if c.TLSMinVersion == "" {
		c.TLSMinVersion = DefaultTLSMinVersion
	}
	if c.Timeouts == nil {
		c.Timeouts = &Timeouts{}
	}
	c.Timeouts.applyDefaults()
	for i := range c.Allow {
		c.Allow[i].applyDefaults()
	}
	ApplyCacheDefaults(c)
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
	address, port := c.Listen.Address, c.Listen.Proxy
	if address == "" {
		address = DefaultListenAddress
	}
	if port == 0 {
		port = DefaultProxyPort
	}
	return "http://" + net.JoinHostPort(address, strconv.Itoa(port))
}
