// Package decode reads the headers of one captured frame into a reused Packet: Ethernet
// (with 802.1Q/802.1ad tags), IPv4, IPv6 (with extension headers), TCP, UDP, ICMP, and
// VXLAN, the encapsulation AWS Traffic Mirroring uses (UDP 4789, flags 0x08, 24-bit VNI).
//
// It is hand-written over byte offsets rather than built on gopacket's layer types because
// it is the sensor's hot path: it allocates nothing, copies nothing (Payload is a view into
// the frame) and reads only the fields the flow table needs. The tests decode the same
// frames with gopacket's DecodingLayerParser and compare, so the two cannot drift apart.
//
// Mirrored frames are often cut short: AWS truncates them to the sensor's packet length.
// A short frame is decoded as far as it goes and marked Truncated, never rejected.
package decode

import "net/netip"

// IP protocol numbers the sensor knows.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// TCP flags as they appear in the header's flags byte.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPPsh = 0x08
	TCPAck = 0x10
)

// Status is the outcome of decoding one frame.
type Status uint8

const (
	// Complete: every header up to and including the transport header was present.
	Complete Status = iota
	// Truncated: the frame ends before the lengths its headers claim; the fields up to
	// the cut are set (Layers says which).
	Truncated
	// NotIP: a well-formed frame that carries no IP packet (ARP, LLDP, ...).
	NotIP
	// Malformed: the frame cannot be read as far as an IP header (too short for its link
	// header, a VXLAN header without the I flag, an IP version that is neither 4 nor 6).
	Malformed
)

func (s Status) String() string {
	switch s {
	case Complete:
		return "complete"
	case Truncated:
		return "truncated"
	case NotIP:
		return "not-ip"
	case Malformed:
		return "malformed"
	}
	return "unknown"
}

// Layers records which parts of a Packet were decoded.
type Layers uint8

const (
	LayerVXLAN     Layers = 1 << iota // VNI is set
	LayerIP                           // Src, Dst, Proto, IPLength are set
	LayerTransport                    // ports (TCP/UDP), type and code (ICMP), TCP fields
)

// Packet is one decoded frame. Decoding overwrites every field, so one Packet is reused
// for all frames.
type Packet struct {
	Layers Layers
	// VNI is the VXLAN network identifier: the AWS mirror session's virtual network id.
	VNI uint32
	// Src and Dst are the (inner) IP addresses.
	Src, Dst netip.Addr
	Proto    uint8
	// SrcPort and DstPort are the TCP or UDP ports. For ICMP they hold type and code, the
	// way Zeek keys ICMP flows.
	SrcPort, DstPort uint16
	// TCP header fields.
	TCPFlags   uint8
	TCPWindow  uint16
	TCPOptions uint8 // number of options other than NOP and end-of-list
	Seq, Ack   uint32
	// IPLength is the packet's size on the wire as its IP header claims it, even when the
	// capture holds fewer bytes: it is what flows count as bytes.
	IPLength int
	// Payload is the transport payload as captured (a view into the frame, valid until the
	// frame's buffer is reused). With Truncated it is shorter than the header claims.
	Payload   []byte
	Truncated bool
}

func (p *Packet) reset() {
	*p = Packet{}
}
