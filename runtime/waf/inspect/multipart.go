package inspect

import (
	"bytes"
	"mime"
	"strings"
)

// Coraza parses multipart bodies with Go's MIME reader, which stops at the first part
// header line it cannot read (a control character, or a byte a header name cannot hold)
// and reports only a generic body parse error (rule 200002). The rule written for exactly
// those lines, 922130 ("Multipart header contains characters outside of valid range"),
// then never sees them. refusedPartHeaders finds such lines so that InspectRequest can
// add them to MULTIPART_PART_HEADERS, where ModSecurity's own parser would have put them.

// refusedPartHeaders returns the part header lines of a multipart/form-data body that
// Go's MIME reader refuses; nil for any other body.
func refusedPartHeaders(contentType string, body []byte) []string {
	if !strings.HasPrefix(strings.ToLower(contentType), "multipart/form-data") {
		return nil
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil // the body processor reports this itself
	}
	delimiter := []byte("--" + params["boundary"])
	var refused []string
	for pos := 0; ; {
		i := bytes.Index(body[pos:], delimiter)
		if i < 0 {
			return refused
		}
		start := pos + i
		pos = start + len(delimiter)
		if start > 0 && body[start-1] != '\n' {
			continue // not at the start of a line: part of some content
		}
		if bytes.HasPrefix(body[pos:], []byte("--")) {
			return refused // the closing delimiter
		}
		eol := bytes.IndexByte(body[pos:], '\n')
		if eol < 0 || len(bytes.Trim(body[pos:pos+eol], " \t\r")) > 0 {
			continue // not a delimiter line
		}
		pos += eol + 1
		var lines []string
		lines, pos = refusedHeaderLines(body, pos)
		refused = append(refused, lines...)
	}
}

// refusedHeaderLines reads the header block of a part starting at body[pos:] up to its
// empty line; it returns the lines Go's MIME reader refuses and where the block ends.
func refusedHeaderLines(body []byte, pos int) ([]string, int) {
	var refused []string
	for first := true; pos < len(body); first = false {
		eol := bytes.IndexByte(body[pos:], '\n')
		end, next := len(body), len(body) // a body cut inside the block ends it
		if eol >= 0 {
			end, next = pos+eol, pos+eol+1
		}
		line := bytes.TrimSuffix(body[pos:end], []byte("\r"))
		pos = next
		if len(line) == 0 {
			break
		}
		if mimeHeaderLineRefused(line, first) {
			refused = append(refused, string(line))
		}
	}
	return refused, pos
}

// mimeHeaderLineRefused mirrors net/textproto's reading of a header line: a name of token
// bytes (spaces tolerated) and a colon, then a value without control characters other
// than tab; a line starting with a space or tab continues the previous one, except first.
func mimeHeaderLineRefused(line []byte, first bool) bool {
	value := line
	if line[0] == ' ' || line[0] == '\t' {
		if first {
			return true
		}
	} else {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 {
			return true
		}
		for _, c := range name {
			if c != ' ' && !isTokenByte(c) {
				return true
			}
		}
		value = rest
	}
	for _, c := range value {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

// isTokenByte reports whether c may appear in an RFC 9110 token (a header name).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
