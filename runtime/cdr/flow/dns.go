package flow

import (
	"encoding/binary"
	"net/netip"
)

// dnsMessage is what the detectors need of one DNS message: the first question and the
// addresses in the answers. Its buffers are reused from message to message.
type dnsMessage struct {
	response bool
	rcode    uint8
	qtype    uint16
	name     []byte // lower case, dot-separated, no trailing dot
	answers  []netip.Addr
	nameBuf  [255]byte
}

const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	maxAnswers  = 16
)

// parseDNS reads a DNS message (RFC 1035 §4). It reports false for anything that is not a
// well-formed message with a question; answers are read as far as they go.
func parseDNS(msg []byte, m *dnsMessage) bool {
	if len(msg) < 12 {
		return false
	}
	flags := binary.BigEndian.Uint16(msg[2:4])
	m.response = flags&0x8000 != 0
	m.rcode = uint8(flags & 0x000f)
	questions := binary.BigEndian.Uint16(msg[4:6])
	answers := binary.BigEndian.Uint16(msg[6:8])
	m.answers = m.answers[:0]
	if questions == 0 {
		return false
	}
	name, off, ok := readName(msg, 12, m.nameBuf[:0])
	if !ok || off+4 > len(msg) {
		return false
	}
	m.name = name
	m.qtype = binary.BigEndian.Uint16(msg[off : off+2])
	off += 4
	for q := 1; q < int(questions); q++ { // further questions are rare; skip them
		var skip [255]byte
		if _, off, ok = readName(msg, off, skip[:0]); !ok || off+4 > len(msg) {
			return true
		}
		off += 4
	}
	for range min(int(answers), maxAnswers) {
		var skip [255]byte
		if _, off, ok = readName(msg, off, skip[:0]); !ok || off+10 > len(msg) {
			return true
		}
		rtype := binary.BigEndian.Uint16(msg[off : off+2])
		rdLen := int(binary.BigEndian.Uint16(msg[off+8 : off+10]))
		off += 10
		if off+rdLen > len(msg) {
			return true
		}
		switch {
		case rtype == dnsTypeA && rdLen == 4:
			m.answers = append(m.answers, netip.AddrFrom4([4]byte(msg[off:off+4])))
		case rtype == dnsTypeAAAA && rdLen == 16:
			m.answers = append(m.answers, netip.AddrFrom16([16]byte(msg[off:off+16])))
		}
		off += rdLen
	}
	return true
}

// readName reads a possibly compressed domain name at off into buf (lower case, labels
// joined by dots) and returns the offset after it in the message. Compression pointers
// are followed a bounded number of times, so a pointer loop cannot hang the sensor.
func readName(msg []byte, off int, buf []byte) ([]byte, int, bool) {
	end := -1 // offset after the name where it started, once a pointer was followed
	for jumps := 0; jumps < 32; {
		if off >= len(msg) {
			return nil, 0, false
		}
		length := int(msg[off])
		switch {
		case length == 0:
			if end < 0 {
				end = off + 1
			}
			return buf, end, true
		case length&0xc0 == 0xc0:
			if off+1 >= len(msg) {
				return nil, 0, false
			}
			if end < 0 {
				end = off + 2
			}
			off = int(binary.BigEndian.Uint16(msg[off:off+2]) & 0x3fff)
			jumps++
			continue
		case length&0xc0 != 0:
			return nil, 0, false // the reserved label types
		}
		if off+1+length > len(msg) || len(buf)+length+1 > cap(buf) {
			return nil, 0, false
		}
		if len(buf) > 0 {
			buf = append(buf, '.')
		}
		for _, c := range msg[off+1 : off+1+length] {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
		}
		off += 1 + length
	}
	return nil, 0, false
}
