package proxy

import (
	"bytes"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// RequestHead is a parsed and checked HTTP/1.x request head of the proxy port.
//
// The proxy port parses heads itself instead of with net/http because net/http normalises
// away exactly what request smuggling relies on (it drops Content-Length next to
// Transfer-Encoding, merges duplicate Content-Length fields, unfolds obs-fold lines): a
// destination behind the gateway might read such a message differently, so it is refused
// outright, before anything is forwarded.
type RequestHead struct {
	Method string
	Target string // request-target as sent: "host:port" for CONNECT, an absolute URI otherwise
	Minor  int    // HTTP/1.<Minor>
	Header http.Header
	// ContentLength is the body length, -1 without a Content-Length field.
	ContentLength int64
	Chunked       bool // Transfer-Encoding: chunked
	// KeepAlive is whether the client may send another request on the connection.
	KeepAlive bool
}

// HeadError is a refused request head; Reason is short and safe to show and log.
type HeadError struct{ Reason string }

func (e *HeadError) Error() string { return "bad request: " + e.Reason }

// Reasons for refusing a request head.
const (
	reasonRequestLine     = "malformed request line"
	reasonVersion         = "unsupported HTTP version"
	reasonBothLengths     = "Content-Length with Transfer-Encoding (request smuggling)"
	reasonDuplicateLength = "duplicate Content-Length (request smuggling)"
	reasonBadLength       = "invalid Content-Length"
	reasonTransferCoding  = "unsupported Transfer-Encoding"
	reasonHTTP10Chunked   = "Transfer-Encoding in HTTP/1.0"
	reasonObsFold         = "obsolete header line folding"
	reasonBareLF          = "line not ended by CRLF"
	reasonMalformedHeader = "malformed header field"
	reasonControlChar     = "control character in header"
	reasonDuplicateHost   = "duplicate Host"
	reasonTooManyHeaders  = "too many header fields"
)

// MaxHeaderFields bounds the number of header fields of one request.
const MaxHeaderFields = 100

// ParseRequestHead parses head, a complete request head ending with an empty line
// (CRLF CRLF), and refuses every ambiguous framing. It is the fuzzing target of the
// proxy port.
func ParseRequestHead(head []byte) (*RequestHead, error) {
	line, rest, ok := cutLine(head)
	if !ok {
		return nil, &HeadError{reasonBareLF}
	}
	h := &RequestHead{Header: http.Header{}, ContentLength: -1}
	if err := h.parseRequestLine(line); err != nil {
		return nil, err
	}
	var lengths, encodings, hosts int
	connectionClose, connectionKeepAlive := false, false
	for fields := 0; ; fields++ {
		line, rest, ok = cutLine(rest)
		if !ok {
			return nil, &HeadError{reasonBareLF}
		}
		if len(line) == 0 {
			break
		}
		if fields == MaxHeaderFields {
			return nil, &HeadError{reasonTooManyHeaders}
		}
		if line[0] == ' ' || line[0] == '\t' {
			return nil, &HeadError{reasonObsFold}
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return nil, &HeadError{reasonMalformedHeader}
		}
		value := bytes.Trim(line[colon+1:], " \t")
		for _, c := range value {
			if c < ' ' && c != '\t' || c == 0x7f {
				return nil, &HeadError{reasonControlChar}
			}
		}
		name := textproto.CanonicalMIMEHeaderKey(string(line[:colon]))
		v := string(value)
		switch name {
		case "Content-Length":
			lengths++
			if lengths > 1 {
				return nil, &HeadError{reasonDuplicateLength}
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || v[0] == '+' {
				return nil, &HeadError{reasonBadLength}
			}
			h.ContentLength = n
		case "Transfer-Encoding":
			encodings++
			if encodings > 1 || !strings.EqualFold(v, "chunked") {
				return nil, &HeadError{reasonTransferCoding}
			}
			h.Chunked = true
		case "Host":
			hosts++
			if hosts > 1 {
				return nil, &HeadError{reasonDuplicateHost}
			}
		case "Connection", "Proxy-Connection":
			for _, token := range strings.Split(v, ",") {
				switch strings.ToLower(strings.TrimSpace(token)) {
				case "close":
					connectionClose = true
				case "keep-alive":
					connectionKeepAlive = true
				}
			}
		}
		h.Header[name] = append(h.Header[name], v)
	}
	if len(rest) != 0 {
		return nil, &HeadError{reasonMalformedHeader}
	}
	if h.Chunked && lengths > 0 {
		return nil, &HeadError{reasonBothLengths}
	}
	if h.Chunked && h.Minor == 0 {
		return nil, &HeadError{reasonHTTP10Chunked}
	}
	h.KeepAlive = !connectionClose && (h.Minor >= 1 || connectionKeepAlive)
	return h, nil
}

func (h *RequestHead) parseRequestLine(line []byte) error {
	method, rest, ok1 := bytes.Cut(line, []byte{' '})
	target, version, ok2 := bytes.Cut(rest, []byte{' '})
	if !ok1 || !ok2 || !isToken(method) || len(target) == 0 {
		return &HeadError{reasonRequestLine}
	}
	for _, c := range target {
		if c <= ' ' || c == 0x7f {
			return &HeadError{reasonRequestLine}
		}
	}
	switch string(version) {
	case "HTTP/1.1":
		h.Minor = 1
	case "HTTP/1.0":
		h.Minor = 0
	default:
		return &HeadError{reasonVersion}
	}
	h.Method = string(method)
	h.Target = string(target)
	return nil
}

// cutLine splits off the first CRLF-terminated line. A bare LF or CR, which different
// parsers split differently, is refused.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 1 || b[i-1] != '\r' {
		return nil, nil, false
	}
	line = b[:i-1]
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, nil, false
	}
	return line, b[i+1:], true
}

// isToken reports whether b is an RFC 9110 token (method and field names).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c >= 0x80 || !tokenChars[c] {
			return false
		}
	}
	return true
}

var tokenChars = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
