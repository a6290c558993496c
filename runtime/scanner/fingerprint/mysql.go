package fingerprint

import (
	"bytes"
	"strings"
)

// MySQLGreeting is the server's first packet (Protocol::HandshakeV10) or its refusal.
type MySQLGreeting struct {
	Product string // "MySQL" or "MariaDB"
	Version string
	Refusal string // error packet text ("Host '10.0.0.5' is not allowed to connect")
}

// ParseMySQLGreeting reads the greeting a MySQL or MariaDB server sends on connect.
func ParseMySQLGreeting(data []byte) (g MySQLGreeting, ok bool) {
	if len(data) < 5 {
		return g, false
	}
	length := int(data[0]) | int(data[1])<<8 | int(data[2])<<16
	if data[3] != 0 || length < 2 || length > 1<<12 || len(data) < 4+min(length, 64) {
		return g, false
	}
	payload := data[4:min(len(data), 4+length)]
	switch payload[0] {
	case 10: // HandshakeV10
		version, _, found := bytes.Cut(payload[1:], []byte{0})
		if !found || len(version) == 0 || !startsWithDigit(string(version)) {
			return g, false
		}
		g.Product, g.Version = "MySQL", string(version)
		// MariaDB 10+ prefixes "5.5.5-" for old clients: "5.5.5-10.11.6-MariaDB-0+deb12u1"
		v := strings.TrimPrefix(g.Version, "5.5.5-")
		if base, _, found := strings.Cut(v, "-MariaDB"); found {
			g.Product, g.Version = "MariaDB", base
		} else {
			g.Version, _, _ = strings.Cut(v, "-")
		}
		return g, true
	case 0xff: // ERR packet: code(2), then message (or '#' + SQLSTATE(5) + message)
		if len(payload) < 4 {
			return g, false
		}
		msg := payload[3:]
		if msg[0] == '#' && len(msg) >= 6 {
			msg = msg[6:]
		}
		g.Product, g.Refusal = "MySQL", string(msg)
		return g, strings.Contains(g.Refusal, "MySQL") || strings.Contains(g.Refusal, "MariaDB") || strings.Contains(g.Refusal, "connect")
	}
	return g, false
}
