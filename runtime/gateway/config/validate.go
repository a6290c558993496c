package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// FieldError is a validation error about one field, named by its HCL path (the schema
// package turns the path into a source location).
type FieldError struct {
	Path    string // e.g. allow["example.com"].tunnel_ports
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// TLSVersions are the accepted values of tls_min_version.
var TLSVersions = []string{"1.0", "1.1", "1.2", "1.3"}

// Validate checks the configuration before or after ApplyDefaults. All problems are
// returned, joined, as *FieldError values.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	port := func(path string, p int) {
		if err := CheckPort(p); err != nil {
			bad(path, "%s", err)
		}
	}
	if c.Listen.Proxy != 0 {
		port("listen.proxy", c.Listen.Proxy)
	}
	if c.Listen.Cache != 0 {
		port("listen.cache", c.Listen.Cache)
	}
	if c.Listen.Proxy != 0 && c.Listen.Proxy == c.Listen.Cache {
		bad("listen.cache", "port %d is also listen.proxy; give the two ports different numbers", c.Listen.Cache)
	}
	if c.Listen.Address != "" && net.ParseIP(c.Listen.Address) == nil {
		bad("listen.address", "%q is not an IP address", c.Listen.Address)
	}
	if c.Admin != nil && c.Admin.Listen != "" && !strings.HasPrefix(c.Admin.Listen, "unix:") {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			bad("admin.listen", "%q is neither host:port nor unix:/path", c.Admin.Listen)
		}
	}

	for i, d := range c.AllowedDomains {
		if msg := checkDomainPattern(d); msg != "" {
			bad(fmt.Sprintf("allowed_domains[%d]", i), "%s", msg)
		}
	}
	seen := map[string]bool{}
	for _, a := range c.Allow {
		path := fmt.Sprintf("allow[%q]", a.Destination)
		key := strings.ToLower(a.Destination)
		if seen[key] {
			bad(path, "destination %q is declared twice; merge the two allow blocks", a.Destination)
		}
		seen[key] = true
		if _, isRange := ParseIPRange(a.Destination); !isRange {
			if msg := checkDomainPattern(a.Destination); msg != "" {
				bad(path, "%s (or an IP address or CIDR range)", msg)
			}
		}
		for i, p := range a.TunnelPorts {
			port(fmt.Sprintf("%s.tunnel_ports[%d]", path, i), p)
		}
		for i, p := range a.HTTPPorts {
			port(fmt.Sprintf("%s.http_ports[%d]", path, i), p)
		}
	}

	if u := c.UpstreamProxy; u != nil {
		if _, err := ParseProxyURL(u.URL); err != nil {
			bad("upstream_proxy.url", "%s", err)
		}
		for i, d := range u.Bypass {
			if msg := checkDomainPattern(d); msg != "" {
				bad(fmt.Sprintf("upstream_proxy.bypass[%d]", i), "%s", msg)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.HostMappings)) {
		ip := c.HostMappings[name]
		path := fmt.Sprintf("host_mappings[%q]", name)
		if msg := checkDomainPattern(name); msg != "" || strings.HasPrefix(name, ".") {
			bad(path, "%q is not a host name; map one fully qualified name, e.g. \"repo.example.com\"", name)
		}
		if _, err := netip.ParseAddr(ip); err != nil {
			bad(path, "%q is not an IP address", ip)
		}
	}

	if c.TLSMinVersion != "" && !slices.Contains(TLSVersions, c.TLSMinVersion) {
		bad("tls_min_version", "%q is not one of %s", c.TLSMinVersion, strings.Join(TLSVersions, ", "))
	}
	for i, cidr := range c.AllowedClients {
		if _, ok := ParseIPRange(cidr); !ok {
			bad(fmt.Sprintf("allowed_clients[%d]", i), "%q is not a CIDR range such as \"10.0.0.0/8\" or an IP address", cidr)
		}
	}
	if t := c.Timeouts; t != nil {
		for _, d := range []struct{ field, value string }{
			{"connect", t.Connect}, {"request_header", t.RequestHeader}, {"idle", t.Idle}, {"half_closed", t.HalfClosed},
		} {
			if d.value == "" {
				continue
			}
			if v, err := time.ParseDuration(d.value); err != nil || v <= 0 {
				bad("timeouts."+d.field, "%q is not a positive duration such as \"30s\"", d.value)
			}
		}
	}
	errs = append(errs, ValidateCacheSettings(c)...)
	return errors.Join(errs...)
}

// checkDomainPattern says what is wrong with a domain pattern ("host.example.com" or
// ".example.com"), or "" when it is fine.
func checkDomainPattern(d string) string {
	name := strings.TrimPrefix(d, ".")
	switch {
	case strings.HasPrefix(d, "*."):
		return fmt.Sprintf("%q: write %q to match every subdomain", d, d[1:])
	case name == "" || len(name) > 253:
		return fmt.Sprintf("%q is not a domain name", d)
	case strings.HasPrefix(name, "."):
		return fmt.Sprintf("%q is not a domain name", d)
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("%q is not a domain name", d)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Sprintf("%q is not a domain name (character %q)", d, r)
			}
		}
	}
	return ""
}

// ParseIPRange parses a CIDR range or a single IP address (a /32 or /128 range).
func ParseIPRange(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
