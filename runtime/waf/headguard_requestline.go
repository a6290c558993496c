package waf

import (
	"bytes"
)

// The guard refuses with 400 some request lines and Host values that net/http accepts
// although HTTP forbids them, so that no such request reaches the rules or the upstream
// looking valid. Apache httpd refuses the same requests; net/http answers some of them with
// 505 or passes them on.

// Reasons for refusing a request line or a Host header; the hardening handler explains them.
const (
	reasonVersionBelow10 = "http-version-below-1.0"
	reasonFragment       = "fragment-in-request-target"
	reasonConnectTarget  = "invalid-connect-target"
	reasonEmptyHost      = "empty-host"
	reasonInvalidHost    = "invalid-host"
)

// requestLine is what the guard reads from a request line.
type requestLine struct {
	method, target []byte
	major, minor   int // the HTTP version; -1 when the line names none net/http would read
}

// parseRequestLine splits a request line as net/http does (method, target and version
// separated by single spaces). A line net/http cannot read is left to net/http, which
// answers it with its own 400.
func parseRequestLine(line []byte) requestLine {
	l := requestLine{major: -1, minor: -1}
	method, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return l
	}
	target, version, ok := bytes.Cut(rest, []byte(" "))
	if !ok {
		return l
	}
	l.method, l.target = method, target
	// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), as net/http reads it.
	if len(version) == 8 && bytes.HasPrefix(version, []byte("HTTP/")) && isDigit(version[5]) && version[6] == '.' && isDigit(version[7]) {
		l.major, l.minor = int(version[5]-'0'), int(version[7]-'0')
	}
	return l
}

// refusal returns why the request line is refused, or "".
func (l requestLine) refusal() string {
	switch {
	case l.major == 0:
		// HTTP/0.9 requests carry no version at all, so a line naming HTTP/0.x was not
		// sent by any HTTP client: it is malformed (net/http would answer 505).
		return reasonVersionBelow10
	case bytes.IndexByte(l.target, '#') >= 0:
		// A fragment is never sent (RFC 9110 §7.1; the request-target grammar of RFC
		// 9112 §3.2 has none); net/http passes it on in the path.
		return reasonFragment
	case string(l.method) == "CONNECT" && !isAuthorityForm(l.target):
		// CONNECT names only host:port (RFC 9112 §3.2.3); net/http also accepts a
		// host without port, or a path.
		return reasonConnectTarget
	}
	return ""
}

// requiresHost reports whether the version requires a Host header with a host in it
// (HTTP/1.1 and later minor versions, as net/http reads them).
func (l requestLine) requiresHost() bool { return l.major == 1 && l.minor >= 1 }

// hostRefusal returns why a Host header value is refused, or "". An HTTP/1.1 request
// must name its host (RFC 9112 §3.2; an "http" URI with an empty host is invalid, RFC 9110
// §4.2.1). A value must be a host name, an IPv4 address or a bracketed IPv6 address, with
// an optional port: percent-encoding (localhost%00) and the other characters URIs allow in
// a registered name name no host that DNS can resolve, and a back end may decode them.
func hostRefusal(value []byte, l requestLine) string {
	if len(value) == 0 {
		if l.requiresHost() {
			return reasonEmptyHost
		}
		return ""
	}
	if _, ok := splitAuthority(value); !ok {
		return reasonInvalidHost
	}
	return ""
}

// isAuthorityForm reports whether target is host ":" port with a port number.
func isAuthorityForm(target []byte) bool {
	port, ok := splitAuthority(target)
	return ok && len(port) > 0
}

// splitAuthority checks uri-host [ ":" port ] where uri-host is a bracketed IPv6 address
// or a name of letters, digits and "-._~" (the unreserved characters of RFC 3986), and
// returns the port digits (possibly none). It takes strings too, so that the hardening
// handler checks r.Host without copying it.
func splitAuthority[T string | []byte](v T) (port T, ok bool) {
	var host T
	if len(v) > 0 && v[0] == '[' {
		end := indexByte(v, ']')
		if end < 0 {
			return port, false
		}
		host, v = v[1:end], v[end+1:]
		if !isIPv6Literal(host) {
			return port, false
		}
	} else {
		colon := indexByte(v, ':')
		if colon < 0 {
			colon = len(v)
		}
		host, v = v[:colon], v[colon:]
		if !isRegName(host) {
			return port, false
		}
	}
	if len(v) == 0 {
		return v, true
	}
	if v[0] != ':' {
		return port, false
	}
	for i := 1; i < len(v); i++ {
		if !isDigit(v[i]) {
			return port, false
		}
	}
	return v[1:], true
}

func indexByte[T string | []byte](v T, c byte) int {
	for i := 0; i < len(v); i++ {
		if v[i] == c {
			return i
		}
	}
	return -1
}

func isRegName[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', isDigit(c):
		case c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return len(b) > 0
}

func isIPv6Literal[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case isDigit(c), 'a' <= c && c <= 'f', 'A' <= c && c <= 'F', c == ':', c == '.':
		default:
			return false
		}
	}
	return len(b) > 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
