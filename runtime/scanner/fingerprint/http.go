package fingerprint

import (
	"bytes"
	"errors"
	"net/textproto"
	"strconv"
	"strings"
)

// maxHTTPBody is how much of a body is kept for checks (directory listings, API answers).
const maxHTTPBody = 4096

// ParseHTTPResponse reads a response head ("HTTP/1.1 200 OK", headers) and the start of the
// body. It needs the whole head; a partial one is an error.
func ParseHTTPResponse(data []byte) (*HTTPInfo, error) {
	if !bytes.HasPrefix(data, []byte("HTTP/1.")) && !bytes.HasPrefix(data, []byte("HTTP/2")) {
		return nil, errors.New("http: not a status line")
	}
	headEnd, sepLen := bytes.Index(data, []byte("\r\n\r\n")), 4
	if headEnd < 0 {
		headEnd, sepLen = bytes.Index(data, []byte("\n\n")), 2
		if headEnd < 0 {
			return nil, errors.New("http: incomplete head")
		}
	}
	head := string(data[:headEnd])
	body := data[headEnd+sepLen:]
	lines := strings.Split(strings.ReplaceAll(head, "\r\n", "\n"), "\n")
	fields := strings.Fields(lines[0])
	if len(fields) < 2 {
		return nil, errors.New("http: short status line")
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil || status < 100 || status > 999 {
		return nil, errors.New("http: bad status code")
	}
	info := &HTTPInfo{Status: status, Headers: map[string]string{}}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		if _, seen := info.Headers[key]; !seen {
			info.Headers[key] = strings.TrimSpace(value)
		}
	}
	if len(body) > maxHTTPBody {
		body = body[:maxHTTPBody]
	}
	info.Body = string(body)
	return info, nil
}

// httpComplete says whether buf holds the head and as much body as we keep.
func httpComplete(buf []byte) bool {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return false
	}
	info, err := ParseHTTPResponse(buf)
	if err != nil {
		return true
	}
	if n, err := strconv.Atoi(info.Headers["Content-Length"]); err == nil {
		return len(buf)-end-4 >= min(n, maxHTTPBody)
	}
	return len(buf)-end-4 >= maxHTTPBody
}

// ProductFromServerHeader reads product and version from a Server header:
// "nginx/1.22.1" → nginx 1.22.1, "Apache/2.4.57 (Debian)" → Apache httpd 2.4.57.
func ProductFromServerHeader(server string) (product, version string) {
	server = strings.TrimSpace(server)
	if server == "" {
		return "", ""
	}
	first, _, _ := strings.Cut(server, " ")
	product, version, _ = strings.Cut(first, "/")
	switch strings.ToLower(product) {
	case "apache":
		product = "Apache httpd"
	case "microsoft-iis":
		product = "Microsoft IIS"
	case "docker":
		product = "Docker"
	}
	if version != "" && !startsWithDigit(version) {
		version = ""
	}
	return product, version
}

func startsWithDigit(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9'
}
