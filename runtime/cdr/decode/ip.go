package decode

import (
	"encoding/binary"
	"net/netip"
)

func (d Decoder) ipv4(pkt []byte, p *Packet) Status {
	if len(pkt) < 20 {
		return Truncated
	}
	headerLen := int(pkt[0]&0x0f) * 4
	if headerLen < 20 {
		return Malformed
	}
	totalLen := int(binary.BigEndian.Uint16(pkt[2:4]))
	if totalLen == 0 {
		totalLen = len(pkt) // segmentation offload leaves it zero in captures taken on the sender
	}
	if totalLen < headerLen {
		return Malformed
	}
	p.Src = netip.AddrFrom4([4]byte(pkt[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(pkt[16:20]))
	p.Proto = pkt[9]
	p.IPLength = totalLen
	p.Layers |= LayerIP
	if len(pkt) < headerLen {
		p.Truncated = true
		return Truncated
	}
	body := pkt[headerLen:]
	if len(pkt) < totalLen {
		p.Truncated = true
	} else {
		body = pkt[headerLen:totalLen] // drop Ethernet padding
	}
	if binary.BigEndian.Uint16(pkt[6:8])&0x1fff != 0 {
		return p.status() // a later fragment: no transport header in it
	}
	return d.transport(body, p)
}

// IPv6 extension headers walked to reach the transport header.
const (
	ipv6HopByHop    = 0
	ipv6Routing     = 43
	ipv6Fragment    = 44
	ipv6AuthHeader  = 51
	ipv6DestOptions = 60
	ipv6NoNext      = 59
)

func (d Decoder) ipv6(pkt []byte, p *Packet) Status {
	if len(pkt) < 40 {
		return Truncated
	}
	payloadLen := int(binary.BigEndian.Uint16(pkt[4:6]))
	p.Src = netip.AddrFrom16([16]byte(pkt[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(pkt[24:40]))
	p.IPLength = 40 + payloadLen
	p.Layers |= LayerIP
	body := pkt[40:]
	if payloadLen == 0 { // a jumbogram, or offload: trust the capture
		p.IPLength = len(pkt)
	} else if len(body) < payloadLen {
		p.Truncated = true
	} else {
		body = body[:payloadLen]
	}
	next := pkt[6]
	// Bounded: a packet cannot make the decoder loop on a chain of extension headers.
	for range 8 {
		var extLen int
		switch next {
		case ipv6HopByHop, ipv6Routing, ipv6DestOptions:
			if len(body) < 2 {
				p.Proto = next
				p.Truncated = true
				return Truncated
			}
			extLen = (int(body[1]) + 1) * 8
		case ipv6Fragment:
			if len(body) < 8 {
				p.Proto = next
				p.Truncated = true
				return Truncated
			}
			if binary.BigEndian.Uint16(body[2:4])>>3 != 0 {
				p.Proto = body[0]
				return p.status() // a later fragment
			}
			extLen = 8
		case ipv6AuthHeader:
			if len(body) < 2 {
				p.Proto = next
				p.Truncated = true
				return Truncated
			}
			extLen = (int(body[1]) + 2) * 4
		default:
			p.Proto = next
			if next == ipv6NoNext {
				return p.status()
			}
			return d.transport(body, p)
		}
		if len(body) < extLen {
			p.Proto = next
			p.Truncated = true
			return Truncated
		}
		next = body[0]
		body = body[extLen:]
	}
	p.Proto = next
	return Malformed // more extension headers than any real packet has
}

func (p *Packet) status() Status {
	if p.Truncated {
		return Truncated
	}
	return Complete
}
