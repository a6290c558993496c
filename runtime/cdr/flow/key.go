// Package flow turns decoded packets into the events the detectors consume: a table of
// flows keyed by VNI and 5-tuple, with idle and active timeouts and a memory bound, TCP
// state enough to tell answered from unanswered SYNs, and the application-layer parsing
// the detectors need (DNS, TLS ClientHello, HTTP request line; dns.go, tls.go, http.go).
//
// The table is not safe for concurrent use: one goroutine owns it (and the detection engine
// it feeds), which keeps the per-packet path free of locks.
package flow

import (
	"encoding/binary"
	"net/netip"
)

// Key identifies a flow in both directions: its endpoints are stored in a canonical order
// (lower address, then lower port, first), so a reply finds the flow its request created.
// Addresses are 16-byte arrays (IPv4 mapped into IPv6) rather than netip.Addr: plain
// words the index (index.go) hashes with a few multiplications and compares directly.
type Key struct {
	Low, High         [16]byte
	VNI               uint32
	LowPort, HighPort uint16
	Proto             uint8
}

// keyOf is the canonical key of a packet from src to dst.
func keyOf(vni uint32, proto uint8, src, dst netip.AddrPort) Key {
	s, d := src.Addr().As16(), dst.Addr().As16()
	c := compareAddr(&s, &d)
	if c < 0 || c == 0 && src.Port() <= dst.Port() {
		return Key{VNI: vni, Proto: proto, Low: s, LowPort: src.Port(), High: d, HighPort: dst.Port()}
	}
	return Key{VNI: vni, Proto: proto, Low: d, LowPort: dst.Port(), High: s, HighPort: src.Port()}
}

// compareAddr orders two addresses as bytes.Compare would, in two word comparisons.
func compareAddr(a, b *[16]byte) int {
	a0, b0 := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8])
	if a0 != b0 {
		if a0 < b0 {
			return -1
		}
		return 1
	}
	a1, b1 := binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:])
	switch {
	case a1 < b1:
		return -1
	case a1 > b1:
		return 1
	}
	return 0
}
