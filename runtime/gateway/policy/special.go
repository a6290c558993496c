package policy

import "net/netip"

// Kinds of addresses refused unless allowed explicitly.
const (
	kindLoopback    = "loopback"
	kindPrivate     = "private"
	kindLinkLocal   = "link-local or metadata"
	kindUnspecified = "unspecified"
	kindMulticast   = "multicast or broadcast"
)

var (
	// sharedAddressSpace is carrier-grade NAT (RFC 6598), private in practice.
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
	// awsMetadataIPv6 is the EC2 instance metadata service over IPv6.
	awsMetadataIPv6 = netip.MustParseAddr("fd00:ec2::254")
	broadcast       = netip.MustParseAddr("255.255.255.255")
)

// specialKind names why addr is not an ordinary public address, or "" when it is one.
// 0.0.0.0 counts: connecting to it reaches the local host on Linux.
func specialKind(addr netip.Addr) string {
	switch {
	case addr == awsMetadataIPv6 || addr.IsLinkLocalUnicast():
		return kindLinkLocal
	case addr.IsLoopback():
		return kindLoopback
	case addr.IsUnspecified():
		return kindUnspecified
	case addr.IsMulticast() || addr.IsLinkLocalMulticast() || addr == broadcast:
		return kindMulticast
	case addr.IsPrivate() || sharedAddressSpace.Contains(addr):
		return kindPrivate
	case addr.Is4() && addr.As4()[0] == 0: // 0.0.0.0/8: "this network"
		return kindUnspecified
	}
	return ""
}
