package decode

import "encoding/binary"

// DefaultVXLANPort is the IANA port of VXLAN, the one AWS Traffic Mirroring sends to.
const DefaultVXLANPort = 4789

// Link types (the pcap LINKTYPE_ numbers) Frame accepts.
const (
	LinkEthernet = 1   // Ethernet II, what AF_PACKET and most captures give
	LinkRaw      = 101 // a bare IPv4 or IPv6 packet
	LinkLinuxSLL = 113 // Linux "cooked" capture (tcpdump -i any)
)

// Decoder decodes frames into a Packet. Its zero value decodes without unwrapping VXLAN;
// set VXLANPort to unwrap UDP datagrams sent to that port (a pcap of mirrored traffic).
type Decoder struct {
	// VXLANPort is the UDP destination port whose payload is VXLAN; 0 unwraps nothing.
	// Only the outermost VXLAN header is unwrapped: a tunnel inside the tunnel is traffic.
	VXLANPort uint16
}

// Frame decodes a frame of the given link type (LinkEthernet, LinkRaw, LinkLinuxSLL).
func (d Decoder) Frame(linkType int, frame []byte, p *Packet) Status {
	switch linkType {
	case LinkEthernet:
		return d.Ethernet(frame, p)
	case LinkRaw:
		p.reset()
		return d.ip(frame, p)
	case LinkLinuxSLL:
		p.reset()
		if len(frame) < 16 {
			return Truncated
		}
		return d.etherType(binary.BigEndian.Uint16(frame[14:16]), frame[16:], p)
	}
	p.reset()
	return NotIP
}

// Ethernet decodes an Ethernet II frame, with up to two VLAN tags.
func (d Decoder) Ethernet(frame []byte, p *Packet) Status {
	p.reset()
	if len(frame) < 14 {
		return Truncated
	}
	return d.etherType(binary.BigEndian.Uint16(frame[12:14]), frame[14:], p)
}

// VXLAN decodes a VXLAN datagram's payload (what a UDP listener on 4789 receives): the
// 8-byte header (flags 0x08 = "VNI present", 24-bit VNI) and the inner Ethernet frame. The
// inner frame is never unwrapped further.
func (d Decoder) VXLAN(payload []byte, p *Packet) Status {
	p.reset()
	if len(payload) < 8 {
		return Truncated
	}
	if payload[0]&0x08 == 0 {
		return Malformed // RFC 7348: the I flag must be set for the VNI to be valid
	}
	vni := uint32(payload[4])<<16 | uint32(payload[5])<<8 | uint32(payload[6])
	status := Decoder{}.Ethernet(payload[8:], p)
	p.VNI = vni
	p.Layers |= LayerVXLAN
	return status
}

// etherType decodes what follows the Ethernet header, skipping VLAN tags.
func (d Decoder) etherType(etherType uint16, rest []byte, p *Packet) Status {
	for tags := 0; tags < 2 && (etherType == 0x8100 || etherType == 0x88a8); tags++ {
		if len(rest) < 4 {
			return Truncated
		}
		etherType = binary.BigEndian.Uint16(rest[2:4])
		rest = rest[4:]
	}
	switch etherType {
	case 0x0800, 0x86dd:
		return d.ip(rest, p)
	}
	return NotIP
}

// ip decodes an IPv4 or IPv6 packet, choosing by the version nibble.
func (d Decoder) ip(pkt []byte, p *Packet) Status {
	if len(pkt) == 0 {
		return Truncated
	}
	switch pkt[0] >> 4 {
	case 4:
		return d.ipv4(pkt, p)
	case 6:
		return d.ipv6(pkt, p)
	}
	return Malformed
}
