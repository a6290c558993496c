package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// TargetSpec is one entry of targets or exclude, parsed but not resolved: an address
// range (a single address, a CIDR and a dash range all become First..Last) or a host name
// the scanner resolves when the job runs.
type TargetSpec struct {
	First, Last netip.Addr // set for addresses, CIDRs and ranges
	Name        string     // set for host names
}

// MaxTargetsPerSpec bounds what one entry may expand to (a /16 is 65,536 hosts), so a typo
// such as 10.0.0.0/8 cannot make the scanner allocate and probe millions of addresses.
const MaxTargetsPerSpec = 1 << 16

// ParseTarget parses "10.0.0.5", "10.0.0.0/24", "10.0.0.1-20", "10.0.0.1-10.0.1.5" or "db.example.com".
func ParseTarget(s string) (TargetSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return TargetSpec{}, fmt.Errorf("empty target: give an address, CIDR, range or host name")
	}
	if addr, err := netip.ParseAddr(s); err == nil {
		return TargetSpec{First: addr.Unmap(), Last: addr.Unmap()}, nil
	}
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return TargetSpec{}, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/24: %w", s, err)
		}
		prefix = prefix.Masked()
		if hostBits := prefix.Addr().BitLen() - prefix.Bits(); hostBits > 16 {
			return TargetSpec{}, fmt.Errorf("%q is larger than a /%d (%d addresses): split it into smaller jobs", s, prefix.Addr().BitLen()-16, MaxTargetsPerSpec)
		}
		return TargetSpec{First: prefix.Addr(), Last: lastOf(prefix)}, nil
	}
	if firstText, lastText, ok := strings.Cut(s, "-"); ok {
		if first, err := netip.ParseAddr(firstText); err == nil {
			return parseRange(s, first.Unmap(), lastText)
		}
	}
	if !validHostName(s) {
		return TargetSpec{}, fmt.Errorf("%q is not an address, CIDR (10.0.0.0/24), range (10.0.0.1-20) or host name", s)
	}
	return TargetSpec{Name: s}, nil
}

// parseRange reads the end of "10.0.0.1-20" (last octet) or "10.0.0.1-10.0.1.5".
func parseRange(s string, first netip.Addr, lastText string) (TargetSpec, error) {
	var last netip.Addr
	if octet, err := strconv.Atoi(lastText); err == nil && first.Is4() {
		if octet < 0 || octet > 255 {
			return TargetSpec{}, fmt.Errorf("range %q: %d is not an octet (0-255)", s, octet)
		}
		b := first.As4()
		b[3] = byte(octet)
		last = netip.AddrFrom4(b)
	} else if addr, err := netip.ParseAddr(lastText); err == nil {
		last = addr.Unmap()
	} else {
		return TargetSpec{}, fmt.Errorf("range %q: the end must be an address or, for IPv4, a last octet (10.0.0.1-20)", s)
	}
	if first.BitLen() != last.BitLen() || last.Less(first) {
		return TargetSpec{}, fmt.Errorf("range %q runs backwards or mixes IPv4 and IPv6: write it first-last", s)
	}
	if Span(first, last) > MaxTargetsPerSpec {
		return TargetSpec{}, fmt.Errorf("range %q holds more than %d addresses: split it into smaller jobs", s, MaxTargetsPerSpec)
	}
	return TargetSpec{First: first, Last: last}, nil
}

// Span counts the addresses first..last, saturating above MaxTargetsPerSpec.
func Span(first, last netip.Addr) int {
	n := 1
	for a := first; a != last; a = a.Next() {
		n++
		if n > MaxTargetsPerSpec {
			return n
		}
	}
	return n
}

func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	hostBits := len(b)*8 - p.Bits()
	for i := len(b) - 1; i >= 0 && hostBits > 0; i-- {
		n := min(hostBits, 8)
		b[i] |= byte(1<<n - 1)
		hostBits -= n
	}
	addr, _ := netip.AddrFromSlice(b)
	return addr
}

// validHostName accepts DNS names: letters, digits, hyphens and dots, labels up to 63.
func validHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
