package tlsprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Record and handshake types (RFC 8446 §5.1, §4).
const (
	recordAlert     = 21
	recordHandshake = 22

	handshakeClientHello     = 1
	handshakeServerHello     = 2
	handshakeCertificate     = 11
	handshakeServerHelloDone = 14
)

// helloRetryRandom marks a ServerHello that is really a HelloRetryRequest (RFC 8446 §4.1.3).
var helloRetryRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// ServerHello is the part of a server's answer the probe needs.
type ServerHello struct {
	Version     uint16 // negotiated: supported_versions when present, else the legacy field
	CipherSuite uint16
	HelloRetry  bool // a HelloRetryRequest: the server speaks TLS 1.3 but wants another key share
}

// Alert is a TLS alert record.
type Alert struct {
	Level, Description byte
}

// Flight is what the server sent in answer to a ClientHello, as far as it was read.
type Flight struct {
	Hello *ServerHello
	// Certificates are the DER certificates of a TLS ≤ 1.2 Certificate message (sent in clear).
	Certificates [][]byte
	Alert        *Alert
	// Done says nothing more is needed: an alert, a TLS 1.3 hello, or ServerHelloDone.
	Done bool
}

// errNotTLS says the bytes are not TLS records at all (another protocol answered).
var errNotTLS = errors.New("not a TLS record")

// maxFlight bounds how much of a server's first flight is read (certificate chains included).
const maxFlight = 64 << 10

// ParseFlight parses the complete records at the start of data. A truncated record at the end
// is left for the next call (Done stays false); bytes that are not TLS return an error.
func ParseFlight(data []byte) (Flight, error) {
	var f Flight
	var handshake []byte // handshake messages may span records
	for len(data) >= 5 {
		typ, version, length := data[0], binary.BigEndian.Uint16(data[1:3]), int(binary.BigEndian.Uint16(data[3:5]))
		if (typ != recordHandshake && typ != recordAlert && typ != 20 && typ != 23) || version>>8 != 3 || length > 1<<14+2048 {
			return f, errNotTLS
		}
		if len(data) < 5+length {
			break
		}
		payload := data[5 : 5+length]
		data = data[5+length:]
		switch typ {
		case recordAlert:
			if len(payload) >= 2 {
				f.Alert = &Alert{Level: payload[0], Description: payload[1]}
			}
			f.Done = true
			return f, nil
		case recordHandshake:
			handshake = append(handshake, payload...)
		default:
			// change_cipher_spec or encrypted data: nothing readable follows
			f.Done = f.Hello != nil
			return f, nil
		}
		var err error
		handshake, err = f.consumeMessages(handshake)
		if err != nil {
			return f, err
		}
		if f.Done {
			return f, nil
		}
	}
	return f, nil
}

// consumeMessages parses the complete handshake messages in buf and returns what is left.
func (f *Flight) consumeMessages(buf []byte) ([]byte, error) {
	for len(buf) >= 4 {
		typ := buf[0]
		length := int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
		if length > maxFlight {
			return nil, fmt.Errorf("handshake message of %d bytes: %w", length, errNotTLS)
		}
		if len(buf) < 4+length {
			return buf, nil
		}
		body := buf[4 : 4+length]
		buf = buf[4+length:]
		switch typ {
		case handshakeServerHello:
			hello, err := parseServerHello(body)
			if err != nil {
				return nil, err
			}
			f.Hello = &hello
			if hello.Version >= VersionTLS13 || hello.HelloRetry {
				f.Done = true // the rest is encrypted
				return nil, nil
			}
		case handshakeCertificate:
			f.Certificates = parseCertificateList(body)
		case handshakeServerHelloDone:
			f.Done = true
			return nil, nil
		}
	}
	return buf, nil
}

func parseServerHello(b []byte) (ServerHello, error) {
	var h ServerHello
	if len(b) < 2+32+1 {
		return h, errors.New("short ServerHello")
	}
	h.Version = binary.BigEndian.Uint16(b)
	h.HelloRetry = bytes.Equal(b[2:34], helloRetryRandom)
	b = b[34:]
	sidLen := int(b[0])
	if len(b) < 1+sidLen+3 {
		return h, errors.New("short ServerHello session id")
	}
	b = b[1+sidLen:]
	h.CipherSuite = binary.BigEndian.Uint16(b)
	b = b[3:] // suite and compression method
	if len(b) < 2 {
		return h, nil // no extensions (SSLv3, old TLS)
	}
	extLen := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if extLen > len(b) {
		return h, errors.New("ServerHello extensions overrun")
	}
	b = b[:extLen]
	for len(b) >= 4 {
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			return h, errors.New("ServerHello extension overrun")
		}
		if typ == 0x002b && n == 2 { // supported_versions: the real version
			h.Version = binary.BigEndian.Uint16(b[4:])
		}
		b = b[4+n:]
	}
	return h, nil
}

// parseCertificateList reads the TLS ≤ 1.2 Certificate message: a 24-bit length list of
// 24-bit length DER certificates.
func parseCertificateList(b []byte) [][]byte {
	if len(b) < 3 {
		return nil
	}
	total := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	b = b[3:]
	if total < len(b) {
		b = b[:total]
	}
	var certs [][]byte
	for len(b) >= 3 {
		n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
		if len(b) < 3+n {
			break
		}
		certs = append(certs, b[3:3+n])
		b = b[3+n:]
	}
	return certs
}

// LooksLikeTLS says whether data starts like a TLS handshake or alert record, which is how a
// TLS server answers a ClientHello on any port.
func LooksLikeTLS(data []byte) bool {
	return len(data) >= 5 && (data[0] == recordHandshake || data[0] == recordAlert) && data[1] == 3 && data[2] <= 4
}
