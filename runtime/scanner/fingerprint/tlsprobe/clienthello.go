package tlsprobe

import (
	"crypto/rand"
	"encoding/binary"
	"net/netip"
)

// HelloSpec says what one ClientHello offers.
type HelloSpec struct {
	// Version is the highest version offered. For VersionTLS13 the hello carries the
	// supported_versions and key_share extensions and offers only TLS 1.3.
	Version uint16
	// Suites are the cipher suite ids offered, in order of preference.
	Suites []uint16
	// ServerName is sent as SNI when it is a DNS name (never for IP addresses: RFC 6066 §3).
	ServerName string
}

// BuildClientHello returns one TLS record holding a ClientHello for spec. It is written by
// hand, not with crypto/tls, because crypto/tls cannot offer SSLv3 or the weak suites a
// scanner must ask about; the server's answer (ServerHello or alert) is all we read.
func BuildClientHello(spec HelloSpec) []byte {
	var body []byte
	legacyVersion := spec.Version
	if spec.Version >= VersionTLS13 {
		legacyVersion = VersionTLS12 // RFC 8446 §4.1.2: TLS 1.3 is negotiated by extension
	}
	body = binary.BigEndian.AppendUint16(body, legacyVersion)
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	body = append(body, random...)
	sessionID := make([]byte, 32) // middlebox compatibility mode (RFC 8446 §D.4)
	_, _ = rand.Read(sessionID)
	body = append(body, byte(len(sessionID)))
	body = append(body, sessionID...)

	suites := spec.Suites
	if spec.Version < VersionTLS13 {
		suites = append(append([]uint16{}, suites...), 0x00ff) // renegotiation SCSV
	}
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(suites)))
	for _, s := range suites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	body = append(body, 1, 0) // compression: null only

	if spec.Version > VersionSSL30 { // SSLv3 servers may choke on extensions
		ext := extensions(spec)
		body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
		body = append(body, ext...)
	}

	handshake := []byte{handshakeClientHello, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	handshake = append(handshake, body...)

	recordVersion := VersionTLS10 // what most stacks expect in the first record
	if spec.Version == VersionSSL30 {
		recordVersion = VersionSSL30
	}
	record := []byte{recordHandshake, byte(recordVersion >> 8), byte(recordVersion)}
	record = binary.BigEndian.AppendUint16(record, uint16(len(handshake)))
	return append(record, handshake...)
}

func extensions(spec HelloSpec) []byte {
	var out []byte
	add := func(typ uint16, data []byte) {
		out = binary.BigEndian.AppendUint16(out, typ)
		out = binary.BigEndian.AppendUint16(out, uint16(len(data)))
		out = append(out, data...)
	}
	if name := spec.ServerName; name != "" && len(name) < 256 {
		if _, err := netip.ParseAddr(name); err != nil {
			var sni []byte
			sni = binary.BigEndian.AppendUint16(sni, uint16(len(name)+3))
			sni = append(sni, 0) // host_name
			sni = binary.BigEndian.AppendUint16(sni, uint16(len(name)))
			sni = append(sni, name...)
			add(0x0000, sni)
		}
	}
	groups := []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x0100} // x25519, P-256, P-384, P-521, ffdhe2048
	add(0x000a, uint16List(groups, 2))
	add(0x000b, []byte{1, 0}) // ec_point_formats: uncompressed
	sigAlgs := []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201, 0x0203}
	add(0x000d, uint16List(sigAlgs, 2))
	add(0xff01, []byte{0}) // renegotiation_info, empty
	if spec.Version >= VersionTLS13 {
		add(0x002b, []byte{2, 3, 4}) // supported_versions: TLS 1.3 (0x0304) only
		add(0x002d, []byte{1, 1})    // psk_key_exchange_modes: psk_dhe_ke
		key := make([]byte, 32)
		_, _ = rand.Read(key) // any 32 bytes are an x25519 public key; we never finish the handshake
		var share []byte
		share = binary.BigEndian.AppendUint16(share, 2+2+32)
		share = binary.BigEndian.AppendUint16(share, 0x001d)
		share = binary.BigEndian.AppendUint16(share, 32)
		share = append(share, key...)
		add(0x0033, share) // key_share
	}
	return out
}

// uint16List encodes a vector of uint16 with a length prefix of prefixLen bytes.
func uint16List(values []uint16, prefixLen int) []byte {
	n := 2 * len(values)
	var out []byte
	if prefixLen == 1 {
		out = append(out, byte(n))
	} else {
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	}
	for _, v := range values {
		out = binary.BigEndian.AppendUint16(out, v)
	}
	return out
}
