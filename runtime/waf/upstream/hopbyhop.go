package upstream

import (
	"net/http"
	"strings"
)

// hopHeaders are the hop-by-hop headers a proxy never forwards, in either direction: the
// list httputil.ReverseProxy removes (RFC 9110 §7.6.1, plus Proxy-Connection, which
// libcurl still sends, and the Keep-Alive and Proxy-* fields of RFC 2616). Headers named
// in Connection are hop-by-hop too (see connectionListed).
var hopHeaders = map[string]bool{
	"Connection":          true,
	"Proxy-Connection":    true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// connectionListed reports whether the Connection header values name the header key
// (canonical form), which makes key hop-by-hop for this message.
func connectionListed(connection []string, key string) bool {
	for _, v := range connection {
		for token := range strings.SplitSeq(v, ",") {
			if asciiEqualFold(trimOWS(token), key) {
				return true
			}
		}
	}
	return false
}

// hasToken reports whether a comma-separated header's values contain token, compared
// case-insensitively (Connection: upgrade, TE: trailers).
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if asciiEqualFold(trimOWS(t), token) {
				return true
			}
		}
	}
	return false
}

// endToEnd reports whether header key of a message with these headers is forwarded.
func endToEnd(h http.Header, key string) bool {
	if hopHeaders[key] {
		return false
	}
	connection := h["Connection"]
	return len(connection) == 0 || !connectionListed(connection, key)
}

// trimOWS removes HTTP's optional whitespace (spaces and tabs) around a list element.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// asciiEqualFold compares header tokens case-insensitively in ASCII only: unlike
// strings.EqualFold, "\u212a" (the Kelvin sign) does not match "k", as no HTTP parser
// would treat it so.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
