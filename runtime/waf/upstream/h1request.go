package upstream

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// appendRequest appends the request sent to the member for r to b: the request line,
// Host, the client's end-to-end headers, X-Forwarded-For, -Host and -Proto, the framing
// of body and body itself, so that a request without a large body leaves in one write.
//
// It forwards what httputil.ReverseProxy (with SetXForwarded) and http.Transport would:
// hop-by-hop headers (hopbyhop.go) and client-sent Forwarded / X-Forwarded-* are dropped,
// "TE: trailers" is kept, a query the standard library cannot parse is re-encoded, and
// the Host is the client's, or the member's address when the client sent none (HTTP/1.0).
// A header that would break the framing (a name that is not a token, a value with CR, LF
// or another control character) fails the request instead of being sent.
func appendRequest(b []byte, r *http.Request, memberAddress string, body []byte) ([]byte, error) {
	host := r.Host
	if host == "" {
		host = memberAddress
	}
	if !validHost(host) {
		return b, fmt.Errorf("invalid Host header %q", host)
	}
	b = append(b, r.Method...)
	b = append(b, ' ')
	start := len(b)
	b = appendTarget(b, r.URL)
	if target := b[start:]; target[0] != '/' && string(target) != "*" {
		// An opaque absolute-form URI ("GET a:b HTTP/1.1") has no origin-form.
		return b, fmt.Errorf("request target %q has no path", target)
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)

	for key, values := range r.Header {
		if !forwardedRequestHeader(r.Header, key) {
			continue
		}
		if !validHeaderName(key) {
			return b, fmt.Errorf("invalid header name %q", key)
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				return b, fmt.Errorf("invalid value for header %q", key)
			}
			b = appendHeader(b, key, trimOWS(v))
		}
	}
	if hasToken(r.Header["Te"], "trailers") {
		b = append(b, "Te: trailers\r\n"...)
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		b = appendHeader(b, "X-Forwarded-For", ip)
	}
	b = appendHeader(b, "X-Forwarded-Host", r.Host)
	if r.TLS != nil {
		b = append(b, "X-Forwarded-Proto: https\r\n"...)
	} else {
		b = append(b, "X-Forwarded-Proto: http\r\n"...)
	}
	if len(body) > 0 || sendsZeroLength(r.Method) {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...), nil
}

// forwardedRequestHeader reports whether the client's header key goes to the member as it
// is. Host and Content-Length are written from the request's fields; the forwarding
// headers are the WAF's to set.
func forwardedRequestHeader(h http.Header, key string) bool {
	switch key {
	case "Host", "Content-Length", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto":
		return false
	}
	return endToEnd(h, key)
}

// sendsZeroLength reports whether a request without a body still declares
// Content-Length: 0, as http.Transport does for the methods that normally carry one (many
// servers wait for a body, or answer 411, without it).
func sendsZeroLength(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

func appendHeader(b []byte, key, value string) []byte {
	b = append(b, key...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// appendTarget appends the origin-form target of u (path and query), as http.Transport
// writes it for a proxied request.
func appendTarget(b []byte, u *url.URL) []byte {
	if u.RawQuery == "" {
		return append(b, u.RequestURI()...)
	}
	out := *u
	out.RawQuery = cleanQuery(u.RawQuery)
	return append(b, out.RequestURI()...)
}

// maxQueryParams is where httputil.ReverseProxy starts re-encoding a query.
const maxQueryParams = 10000

// cleanQuery is httputil.ReverseProxy's treatment of the query: a query Go's url package
// cannot parse as it is (a ';' separator, a broken %-escape, too many parameters) is
// re-encoded with only the parameters that do parse, so that the member cannot read
// parameters the WAF's own parser never saw.
func cleanQuery(q string) string {
	reencode := func() string {
		v, _ := url.ParseQuery(q)
		return v.Encode()
	}
	if strings.Count(q, "&")+1 > maxQueryParams {
		return reencode()
	}
	for i := 0; i < len(q); {
		switch q[i] {
		case ';':
			return reencode()
		case '%':
			if i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2]) {
				return reencode()
			}
			i += 3
		default:
			i++
		}
	}
	return q
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validHeaderName reports whether key is an RFC 9110 token.
func validHeaderName(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		if !isTokenByte(key[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validHeaderValue reports whether v has no control characters other than tab: nothing
// that could end the header line or the head early.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether host holds only the characters of a host name, an IP literal
// and a port (RFC 3986 reg-name, IP-literal, and percent-encoding).
func validHost(host string) bool {
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) < 0 {
			return false
		}
	}
	return true
}
