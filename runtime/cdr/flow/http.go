package flow

import "bytes"

// httpRequest is the request line and the two headers the detectors use. Fields are views
// into the payload, valid only while it is.
type httpRequest struct {
	method, uri, host, userAgent []byte
}

var httpMethods = [][]byte{
	[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("DELETE "),
	[]byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH "), []byte("TRACE "),
}

// parseHTTPRequest reads "METHOD URI HTTP/1.x" and the Host and User-Agent headers from
// the start of a client payload. A request whose headers are cut off by the end of the
// segment (or by truncation) yields what was there.
func parseHTTPRequest(payload []byte, r *httpRequest) bool {
	if len(payload) < 14 || payload[0] < 'C' || payload[0] > 'T' {
		return false
	}
	var method []byte
	for _, m := range httpMethods {
		if bytes.HasPrefix(payload, m) {
			method = m[:len(m)-1]
			break
		}
	}
	if method == nil {
		return false
	}
	lineEnd := bytes.IndexByte(payload, '\n')
	if lineEnd < 0 {
		lineEnd = len(payload)
	}
	line := bytes.TrimRight(payload[len(method)+1:lineEnd], "\r")
	sp := bytes.LastIndexByte(line, ' ')
	if sp < 0 || !bytes.HasPrefix(line[sp+1:], []byte("HTTP/")) {
		return false
	}
	*r = httpRequest{method: method, uri: line[:sp]}
	rest := payload[min(lineEnd+1, len(payload)):]
	for len(rest) > 0 {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
		}
		header := bytes.TrimRight(rest[:end], "\r")
		if len(header) == 0 {
			break // end of the headers
		}
		if name, value, ok := bytes.Cut(header, []byte(":")); ok {
			switch {
			case bytes.EqualFold(name, []byte("Host")):
				r.host = bytes.TrimSpace(value)
			case bytes.EqualFold(name, []byte("User-Agent")):
				r.userAgent = bytes.TrimSpace(value)
			}
		}
		rest = rest[min(end+1, len(rest)):]
	}
	return true
}
