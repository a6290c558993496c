package decode

import "encoding/binary"

// transport decodes the TCP, UDP or ICMP header at the start of body (p.Proto set).
func (d Decoder) transport(body []byte, p *Packet) Status {
	switch p.Proto {
	case ProtoTCP:
		return tcp(body, p)
	case ProtoUDP:
		return d.udp(body, p)
	case ProtoICMP, ProtoICMPv6:
		if len(body) < 4 {
			p.Truncated = true
			return Truncated
		}
		p.SrcPort, p.DstPort = uint16(body[0]), uint16(body[1])
		p.Payload = body[4:]
		p.Layers |= LayerTransport
	}
	return p.status()
}

func tcp(body []byte, p *Packet) Status {
	if len(body) < 20 {
		p.Truncated = true
		return Truncated
	}
	headerLen := int(body[12]>>4) * 4
	if headerLen < 20 {
		return Malformed
	}
	p.SrcPort = binary.BigEndian.Uint16(body[0:2])
	p.DstPort = binary.BigEndian.Uint16(body[2:4])
	p.Seq = binary.BigEndian.Uint32(body[4:8])
	p.Ack = binary.BigEndian.Uint32(body[8:12])
	p.TCPFlags = body[13]
	p.TCPWindow = binary.BigEndian.Uint16(body[14:16])
	p.Layers |= LayerTransport
	if len(body) < headerLen {
		p.TCPOptions = countTCPOptions(body[20:])
		p.Truncated = true
		return Truncated
	}
	p.TCPOptions = countTCPOptions(body[20:headerLen])
	p.Payload = body[headerLen:]
	return p.status()
}

// countTCPOptions counts the options other than padding (NOP, end of list): nmap's SYN
// probe carries none, every real stack's SYN carries several.
func countTCPOptions(opts []byte) uint8 {
	var n uint8
	for i := 0; i < len(opts); {
		switch opts[i] {
		case 0: // end of option list
			return n
		case 1: // NOP
			i++
			continue
		}
		n++
		if i+1 >= len(opts) || opts[i+1] < 2 {
			return n
		}
		i += int(opts[i+1])
	}
	return n
}

func (d Decoder) udp(body []byte, p *Packet) Status {
	if len(body) < 8 {
		p.Truncated = true
		return Truncated
	}
	p.SrcPort = binary.BigEndian.Uint16(body[0:2])
	p.DstPort = binary.BigEndian.Uint16(body[2:4])
	p.Layers |= LayerTransport
	payload := body[8:]
	if length := int(binary.BigEndian.Uint16(body[4:6])); length >= 8 && length-8 < len(payload) {
		payload = payload[:length-8]
	}
	if d.VXLANPort != 0 && p.DstPort == d.VXLANPort {
		truncatedOuter := p.Truncated
		status := d.VXLAN(payload, p)
		if truncatedOuter && status == Complete {
			p.Truncated = true
			return Truncated
		}
		return status
	}
	p.Payload = payload
	return p.status()
}
