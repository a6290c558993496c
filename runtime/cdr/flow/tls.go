package flow

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// clientHello is what the detectors need of a TLS ClientHello: the server name and the
// JA3 fingerprint (https://github.com/salesforce/ja3): the decimal fields
// "version,ciphers,extensions,curves,point formats", lists joined by '-', GREASE values
// (RFC 8701) left out, and its MD5.
type clientHello struct {
	sni     []byte // a view into the payload
	ja3     []byte // the JA3 string, built in a reused buffer
	ja3Hash string
	buf     []byte
}

// parseClientHello reads a ClientHello at the start of a client's first payload. A hello
// cut off by the end of the segment yields nothing: its fingerprint would be wrong.
func parseClientHello(payload []byte, h *clientHello) bool {
	// Record header: type 22 (handshake), version, length; handshake header: type 1, length.
	if len(payload) < 9 || payload[0] != 22 || payload[1] != 3 || payload[5] != 1 {
		return false
	}
	body := payload[9:]
	helloLen := int(payload[6])<<16 | int(payload[7])<<8 | int(payload[8])
	if len(body) < helloLen || helloLen < 38 {
		return false
	}
	body = body[:helloLen]
	h.sni = nil
	b := h.buf[:0]
	b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint16(body[0:2])), 10)
	b = append(b, ',')
	off := 34 // version and random
	sessionLen := int(body[off])
	off += 1 + sessionLen
	if off+2 > len(body) {
		return false
	}
	cipherLen := int(binary.BigEndian.Uint16(body[off : off+2]))
	off += 2
	if off+cipherLen+1 > len(body) {
		return false
	}
	b = appendUint16List(b, body[off:off+cipherLen])
	off += cipherLen
	off += 1 + int(body[off]) // compression methods
	b = append(b, ',')
	var curves, points []byte
	if off+2 <= len(body) {
		extLen := int(binary.BigEndian.Uint16(body[off : off+2]))
		off += 2
		exts := body[off:min(off+extLen, len(body))]
		first := true
		for len(exts) >= 4 {
			typ := binary.BigEndian.Uint16(exts[0:2])
			n := int(binary.BigEndian.Uint16(exts[2:4]))
			if 4+n > len(exts) {
				return false
			}
			data := exts[4 : 4+n]
			exts = exts[4+n:]
			if isGREASE(typ) {
				continue
			}
			if !first {
				b = append(b, '-')
			}
			first = false
			b = strconv.AppendUint(b, uint64(typ), 10)
			switch typ {
			case 0: // server_name
				h.sni = serverName(data)
			case 10: // supported_groups
				if len(data) >= 2 {
					curves = data[2:min(2+int(binary.BigEndian.Uint16(data)), len(data))]
				}
			case 11: // ec_point_formats
				if len(data) >= 1 {
					points = data[1:min(1+int(data[0]), len(data))]
				}
			}
		}
	}
	b = append(b, ',')
	b = appendUint16List(b, curves)
	b = append(b, ',')
	for i, p := range points {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(p), 10)
	}
	h.buf = b
	h.ja3 = b
	sum := md5.Sum(b)
	h.ja3Hash = hex.EncodeToString(sum[:])
	return true
}

// serverName is the first host_name of a server_name extension (RFC 6066 §3).
func serverName(data []byte) []byte {
	if len(data) < 5 || data[2] != 0 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(data[3:5]))
	if 5+n > len(data) {
		return nil
	}
	return data[5 : 5+n]
}

func appendUint16List(b, list []byte) []byte {
	first := true
	for i := 0; i+1 < len(list); i += 2 {
		v := binary.BigEndian.Uint16(list[i:])
		if isGREASE(v) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

// isGREASE reports the reserved values 0x0a0a, 0x1a1a, ... 0xfafa that clients send to
// keep servers tolerant; JA3 ignores them.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}
