// Package policy decides which destinations clients of the gateway may reach: a host name
// on the allowed list (exact, or a ".suffix" entry for every subdomain) on one of its ports,
// separately for tunnels (CONNECT) and plain HTTP, and never an IP literal, a loopback,
// private or link-local address unless an allow entry says so explicitly. Addresses are
// checked twice: the name the client asked for (Check), then every address that name
// resolves to (CheckAddress), so a DNS answer or host mapping pointing at 127.0.0.1 cannot
// sneak in. Matching never uses reverse DNS.
package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// Mode is how a client wants to reach a destination.
type Mode int

// Modes.
const (
	Tunnel    Mode = iota // CONNECT host:port
	PlainHTTP             // GET http://host:port/...
)

func (m Mode) String() string {
	if m == Tunnel {
		return "tunnels"
	}
	return "plain HTTP"
}

// Rule is the allow entry a destination matched.
type Rule struct {
	Destination  string // as configured: "example.com", ".example.com", "10.0.0.0/8"
	AllowPrivate bool
	tunnelPorts  []int
	httpPorts    []int
}

func (r *Rule) ports(m Mode) []int {
	if m == Tunnel {
		return r.tunnelPorts
	}
	return r.httpPorts
}

// Policy is the allowed list of one configuration; safe for concurrent use (read-only).
type Policy struct {
	exact    map[string]*Rule // lower-case host name → rule
	suffixes []suffixRule     // longest suffix first
	ranges   []rangeRule      // explicitly allowed IP ranges
}

type suffixRule struct {
	suffix string // ".example.com"
	rule   *Rule
}

type rangeRule struct {
	prefix netip.Prefix
	rule   *Rule
}

// New builds the policy of the allow entries (config.Config.Destinations). A later entry
// for the same destination adds its ports to the earlier one.
func New(entries []config.Allow) *Policy {
	p := &Policy{exact: map[string]*Rule{}}
	bySuffix := map[string]*Rule{}
	for _, e := range entries {
		r := &Rule{Destination: e.Destination, AllowPrivate: e.AllowPrivate, tunnelPorts: e.TunnelPorts, httpPorts: e.HTTPPorts}
		if prefix, ok := config.ParseIPRange(e.Destination); ok {
			p.ranges = append(p.ranges, rangeRule{prefix: prefix, rule: r})
			continue
		}
		name := normalise(e.Destination)
		target := p.exact
		if strings.HasPrefix(name, ".") {
			target = bySuffix
		}
		if prev, ok := target[name]; ok {
			prev.tunnelPorts = append(slices.Clone(prev.tunnelPorts), r.tunnelPorts...)
			prev.httpPorts = append(slices.Clone(prev.httpPorts), r.httpPorts...)
			prev.AllowPrivate = prev.AllowPrivate || r.AllowPrivate
			continue
		}
		target[name] = r
	}
	for s, r := range bySuffix {
		p.suffixes = append(p.suffixes, suffixRule{suffix: s, rule: r})
	}
	slices.SortFunc(p.suffixes, func(a, b suffixRule) int { return len(b.suffix) - len(a.suffix) })
	return p
}

// Denied is a refusal; Reason is short and safe to show to the client and to log.
type Denied struct {
	Reason string
}

func (d *Denied) Error() string { return "denied: " + d.Reason }

func deny(format string, args ...any) *Denied {
	return &Denied{Reason: fmt.Sprintf(format, args...)}
}

// Check decides whether a client may reach host:port in mode, by the name it asked for.
// host may be a name or an IP literal (with or without brackets). The rule returned must
// be passed to CheckAddress for every address the name resolves to.
func (p *Policy) Check(host string, port int, mode Mode) (*Rule, error) {
	host = normalise(host)
	if host == "" {
		return nil, deny("no destination host")
	}
	if err := config.CheckPort(port); err != nil {
		return nil, deny("port %d is not allowed", port)
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return p.checkIPLiteral(addr.Unmap(), port, mode)
	}
	if looksNumeric(host) {
		return nil, deny("%s looks like an IP address in a non-standard form", host)
	}
	rule := p.Lookup(host)
	if rule == nil {
		return nil, deny("%s is not on the allowed list", host)
	}
	if !slices.Contains(rule.ports(mode), port) {
		return nil, deny("port %d is not allowed for %s to %s", port, mode, host)
	}
	return rule, nil
}

func (p *Policy) checkIPLiteral(addr netip.Addr, port int, mode Mode) (*Rule, error) {
	r := p.rangeRule(addr)
	if r == nil {
		if kind := specialKind(addr); kind != "" {
			return nil, deny("%s is a %s address", addr, kind)
		}
		return nil, deny("IP address destinations are not allowed (%s); use a domain name on the allowed list", addr)
	}
	if !slices.Contains(r.ports(mode), port) {
		return nil, deny("port %d is not allowed for %s to %s", port, mode, addr)
	}
	return r, nil
}

// Lookup is the rule a host name matches, whatever the port, or nil: the exact entry,
// else the longest ".suffix" entry. The cache port's dialer uses it to learn whether a
// name may resolve to a private address.
func (p *Policy) Lookup(host string) *Rule {
	host = normalise(host)
	if r, ok := p.exact[host]; ok {
		return r
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s.suffix) {
			return s.rule
		}
	}
	return nil
}

// CheckAddress decides whether a connection may go to addr, an address the destination
// resolved to (DNS or a host mapping) or an IP literal. rule is what Check or Lookup
// returned, nil when no entry matched (patch mode reaches any domain). Addresses in an
// explicitly allowed range always pass; loopback, private and shared ranges pass only for a
// rule with allow_private; link-local (cloud metadata), unspecified and multicast
// addresses only through an explicit range.
func (p *Policy) CheckAddress(rule *Rule, addr netip.Addr) error {
	addr = addr.Unmap()
	if p.rangeRule(addr) != nil {
		return nil
	}
	kind := specialKind(addr)
	switch {
	case kind == "":
		return nil
	case rule != nil && rule.AllowPrivate && (kind == kindLoopback || kind == kindPrivate):
		return nil
	}
	return deny("destination resolves to %s, a %s address", addr, kind)
}

func (p *Policy) rangeRule(addr netip.Addr) *Rule {
	for _, r := range p.ranges {
		if r.prefix.Contains(addr) {
			return r.rule
		}
	}
	return nil
}

// normalise lower-cases a host, removes IPv6 brackets and a trailing dot.
func normalise(host string) string {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// looksNumeric reports names some resolvers read as IPv4 addresses ("2130706433",
// "0x7f.1", "127.1"): no top-level domain is all digits, so refusing them loses nothing.
func looksNumeric(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
