package fingerprint

import (
	"encoding/binary"
	"strings"
)

// dnsVersionQueryID is the query id we send; a DNS answer echoes it.
const dnsVersionQueryID = 0x7261 // "ra"

// dnsVersionQuery is a TCP-framed query for version.bind TXT in class CHAOS, which BIND,
// dnsmasq, Unbound and PowerDNS answer with their version unless told not to.
func dnsVersionQuery() []byte {
	msg := binary.BigEndian.AppendUint16(nil, dnsVersionQueryID)
	msg = append(msg, 0x01, 0x00)             // standard query, recursion desired
	msg = append(msg, 0, 1, 0, 0, 0, 0, 0, 0) // 1 question
	for _, label := range []string{"version", "bind"} {
		msg = append(msg, byte(len(label)))
		msg = append(msg, label...)
	}
	msg = append(msg, 0, 0, 16, 0, 3) // root, TXT, CHAOS
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
}

// DNSReply is the answer to dnsVersionQuery.
type DNSReply struct {
	Version string // the TXT string, e.g. "9.18.28-1~deb12u2-Debian"; "" when refused
	Rcode   int
}

// ParseDNSVersionReply reads a TCP-framed DNS answer. ok is false when data is not a DNS
// response to our query.
func ParseDNSVersionReply(data []byte) (reply DNSReply, ok bool) {
	if len(data) < 2+12 {
		return reply, false
	}
	n := int(binary.BigEndian.Uint16(data))
	msg := data[2:]
	if n < 12 || len(msg) < n {
		return reply, false
	}
	msg = msg[:n]
	if binary.BigEndian.Uint16(msg) != dnsVersionQueryID || msg[2]&0x80 == 0 {
		return reply, false
	}
	reply.Rcode = int(msg[3] & 0x0f)
	qd, an := binary.BigEndian.Uint16(msg[4:]), binary.BigEndian.Uint16(msg[6:])
	off := 12
	for range qd {
		off = skipDNSName(msg, off)
		off += 4
		if off < 0 || off > len(msg) {
			return reply, true
		}
	}
	for range an {
		off = skipDNSName(msg, off)
		if off < 0 || off+10 > len(msg) {
			return reply, true
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+rdlen > len(msg) {
			return reply, true
		}
		if typ == 16 && rdlen > 0 { // TXT: length-prefixed strings
			txt := msg[off : off+rdlen]
			if l := int(txt[0]); l < len(txt) {
				reply.Version = string(txt[1 : 1+l])
				return reply, true
			}
		}
		off += rdlen
	}
	return reply, true
}

// skipDNSName returns the offset after the (possibly compressed) name at off, or -1.
func skipDNSName(msg []byte, off int) int {
	for off >= 0 && off < len(msg) {
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1
		case l&0xc0 == 0xc0:
			return off + 2
		case l&0xc0 != 0:
			return -1
		}
		off += 1 + l
	}
	return -1
}

// dnsProduct reads product and version from a version.bind answer.
func dnsProduct(txt string) (product, version string) {
	lower := strings.ToLower(txt)
	switch {
	case strings.HasPrefix(lower, "dnsmasq-"):
		return "dnsmasq", txt[len("dnsmasq-"):]
	case strings.HasPrefix(lower, "unbound "):
		return "Unbound", txt[len("unbound "):]
	case strings.HasPrefix(lower, "powerdns"):
		f := strings.Fields(txt)
		return "PowerDNS", f[len(f)-1]
	case txt != "" && startsWithDigit(txt):
		v, _, _ := strings.Cut(txt, "-")
		return "ISC BIND", v
	}
	return "", ""
}
