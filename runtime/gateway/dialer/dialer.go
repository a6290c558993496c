// Package dialer opens the gateway's outgoing connections: it applies the static host
// mappings, resolves names, refuses any resolved address the policy does not allow (so a
// DNS answer or mapping pointing at loopback is caught after resolution, and the
// connection goes to exactly the address that was checked), and chains through the
// upstream proxy with CONNECT unless the destination is on its bypass list.
package dialer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/policy"
)

// Dialer is the outgoing side of one configuration; safe for concurrent use.
type Dialer struct {
	policy   *policy.Policy
	mappings map[string]netip.Addr // lower-case name → address
	upstream *url.URL              // nil: connect directly
	bypass   []string              // lower-case "host" or ".suffix"
	timeout  time.Duration
	resolver *net.Resolver
}

// New builds the dialer of a validated configuration.
func New(cfg *config.Config, p *policy.Policy) (*Dialer, error) {
	d := &Dialer{
		policy:   p,
		mappings: map[string]netip.Addr{},
		timeout:  cfg.Durations().Connect,
		resolver: net.DefaultResolver,
	}
	for name, ip := range cfg.HostMappings {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return nil, fmt.Errorf("host_mappings[%q]: %q is not an IP address", name, ip)
		}
		d.mappings[normalise(name)] = addr.Unmap()
	}
	if u := cfg.UpstreamProxy; u != nil {
		parsed, err := config.ParseProxyURL(u.URL)
		if err != nil {
			return nil, fmt.Errorf("upstream_proxy.url: %w", err)
		}
		d.upstream = parsed
		for _, b := range u.Bypass {
			d.bypass = append(d.bypass, normalise(b))
		}
	}
	return d, nil
}

// Upstream is the upstream proxy for host, or nil when host is reached directly.
func (d *Dialer) Upstream(host string) *url.URL {
	if d.upstream == nil {
		return nil
	}
	host = normalise(host)
	for _, b := range d.bypass {
		if host == b || strings.HasPrefix(b, ".") && strings.HasSuffix(host, b) {
			return nil
		}
	}
	return d.upstream
}

// Mapped is the host mapping of host, if any.
func (d *Dialer) Mapped(host string) (netip.Addr, bool) {
	a, ok := d.mappings[normalise(host)]
	return a, ok
}

// Dial connects to addr ("host:port") for the cache port: the rule deciding whether host
// may resolve to a private address is looked up by name (nil when no entry matches, as in
// patch mode's open access). The domain policy itself is the caller's Check.
func (d *Dialer) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("dial %s: port is not a number", addr)
	}
	return d.DialRule(ctx, host, port, d.policy.Lookup(host))
}

// DialRule connects to host:port, which the policy allowed with rule (nil: no entry).
// Errors are *policy.Denied when an address is refused, *UpstreamError when the upstream
// proxy answered CONNECT with an error, else network errors.
func (d *Dialer) DialRule(ctx context.Context, host string, port int, rule *policy.Rule) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	target := host
	if addr, ok := d.Mapped(host); ok {
		if err := d.policy.CheckAddress(rule, addr); err != nil {
			return nil, err
		}
		target = addr.String()
	}
	if up := d.Upstream(host); up != nil {
		// The upstream proxy resolves names itself; mapped names go to it as addresses.
		return connectVia(ctx, up, net.JoinHostPort(target, strconv.Itoa(port)))
	}
	addrs, err := d.resolve(ctx, target)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := d.policy.CheckAddress(rule, a); err != nil {
			// One refused answer refuses the name: a mix of public and loopback answers is
			// a rebinding attempt, not a fallback.
			return nil, err
		}
	}
	var dialer net.Dialer
	var errs []error
	for _, a := range addrs {
		conn, err := dialer.DialContext(ctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("connect to %s port %d: %w", host, port, errors.Join(errs...))
}

// resolve returns the addresses of host: itself when it is an IP literal.
func (d *Dialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	return addrs, nil
}

func normalise(host string) string {
	return strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
}
