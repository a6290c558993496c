package state

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScanner reads JSON tokens straight from a byte slice. It is the lexer of the
// cty value decoder (ctyjsondecode.go): no reflection, no interface per token, and
// strings are decoded exactly as encoding/json decodes them (invalid UTF-8 and lone
// surrogates become U+FFFD), because the values it reads must be byte-for-byte what
// cty's own JSON decoder would produce.
type jsonScanner struct {
	data []byte
	pos  int
}

// syntaxError is a malformed document. Offset is where the scanner stopped, so a
// hand-edited state file can be fixed.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.offset, e.msg)
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...), offset: s.pos}
}

// skipSpace moves past JSON whitespace and returns the next byte, or 0 at the end.
func (s *jsonScanner) skipSpace() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// describe names the byte at the current position for an error message.
func (s *jsonScanner) describe() string {
	if s.pos >= len(s.data) {
		return "end of input"
	}
	c := s.data[s.pos]
	if c < ' ' || c >= utf8.RuneSelf {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", c)
}

// expect consumes c after optional whitespace.
func (s *jsonScanner) expect(c byte, what string) error {
	if s.skipSpace() != c {
		return s.errorf("expected %s, found %s", what, s.describe())
	}
	s.pos++
	return nil
}

// literal consumes one of true, false, null (whose first byte is at pos).
func (s *jsonScanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.errorf("invalid literal, expected %s", word)
	}
	s.pos += len(word)
	return nil
}

// number consumes a JSON number at pos and returns its text. It stops at the first
// byte that cannot continue the number, as encoding/json does.
func (s *jsonScanner) number() (string, error) {
	start := s.pos
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		s.pos = i
		return "", s.errorf("invalid number: expected a digit, found %s", s.describe())
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			s.pos = i
			return "", s.errorf("invalid number: expected a digit after the decimal point, found %s", s.describe())
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			s.pos = i
			return "", s.errorf("invalid number: expected a digit in the exponent, found %s", s.describe())
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.pos = i
	return string(d[start:i]), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str consumes a JSON string whose opening quote is at pos and returns its value.
func (s *jsonScanner) str() (string, error) {
	body, plain, err := s.stringBody()
	if err != nil {
		return "", err
	}
	if plain || (!hasByte(body, '\\') && utf8.Valid(body)) {
		return string(body), nil
	}
	return unescape(body), nil
}

// stringBody consumes a JSON string whose opening quote is at pos, checking its syntax,
// and returns the bytes between the quotes; plain says they hold only printable ASCII
// without escapes, so they are the string's value as they are.
func (s *jsonScanner) stringBody() (body []byte, plain bool, err error) {
	d := s.data
	start := s.pos + 1
	plain = true
	for i := start; ; {
		if i >= len(d) {
			s.pos = i
			return nil, false, s.errorf("unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return d[start:i], plain, nil
		case c < ' ':
			s.pos = i
			return nil, false, s.errorf("invalid control character 0x%02x in string", c)
		case c == '\\':
			plain = false
			if err := s.checkEscape(i); err != nil {
				return nil, false, err
			}
			if d[i+1] == 'u' {
				i += 6
			} else {
				i += 2
			}
		case c >= utf8.RuneSelf:
			plain = false
			i++
		default:
			i++
		}
	}
}

// checkEscape validates the escape sequence whose backslash is at i.
func (s *jsonScanner) checkEscape(i int) error {
	d := s.data
	if i+1 >= len(d) {
		s.pos = len(d)
		return s.errorf("unterminated string")
	}
	switch d[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return nil
	case 'u':
		for j := i + 2; j < i+6; j++ {
			if j >= len(d) || hexValue(d[j]) < 0 {
				s.pos = min(j, len(d))
				return s.errorf("invalid \\u escape in string")
			}
		}
		return nil
	}
	s.pos = i + 1
	return s.errorf("invalid escape %s in string", s.describe())
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

func hexValue(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// unicodeEscape reads \uXXXX at the start of b, or returns -1.
func unicodeEscape(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		v := hexValue(c)
		if v < 0 {
			return -1
		}
		r = r*16 + v
	}
	return r
}

// unescape decodes the body of a string already checked by str, with encoding/json's
// rules: a surrogate pair is one character, a lone surrogate or an invalid UTF-8 byte
// becomes U+FFFD.
func unescape(b []byte) string {
	out := make([]byte, 0, len(b))
	for r := 0; r < len(b); {
		c := b[r]
		switch {
		case c == '\\':
			switch e := b[r+1]; e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rr := unicodeEscape(b[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if pair := utf16.DecodeRune(rr, unicodeEscape(b[r:])); pair != unicode.ReplacementChar {
						r += 6
						out = utf8.AppendRune(out, pair)
						continue
					}
					rr = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, rr)
				continue
			default: // " \ /
				out = append(out, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			r++
		default:
			rr, size := utf8.DecodeRune(b[r:])
			out = utf8.AppendRune(out, rr)
			r += size
		}
	}
	return string(out)
}

// skipValue consumes one complete JSON value, checking its syntax, and returns where
// it starts (after whitespace).
func (s *jsonScanner) skipValue() (int, error) {
	c := s.skipSpace()
	start := s.pos
	return start, s.skipFrom(c, 0)
}

// maxDepth bounds nesting, so a crafted document cannot exhaust the stack. encoding/json
// has the same limit.
const maxDepth = 10000

func (s *jsonScanner) skipFrom(c byte, depth int) error {
	if depth > maxDepth {
		return s.errorf("exceeded max depth")
	}
	switch {
	case c == '{':
		s.pos++
		if s.skipSpace() == '}' {
			s.pos++
			return nil
		}
		for {
			if s.skipSpace() != '"' {
				return s.errorf("expected an object key, found %s", s.describe())
			}
			if _, _, err := s.stringBody(); err != nil {
				return err
			}
			if err := s.expect(':', "':' after object key"); err != nil {
				return err
			}
			if err := s.skipFrom(s.skipSpace(), depth+1); err != nil {
				return err
			}
			switch s.skipSpace() {
			case ',':
				s.pos++
			case '}':
				s.pos++
				return nil
			default:
				return s.errorf("expected ',' or '}' after object value, found %s", s.describe())
			}
		}
	case c == '[':
		s.pos++
		if s.skipSpace() == ']' {
			s.pos++
			return nil
		}
		for {
			if err := s.skipFrom(s.skipSpace(), depth+1); err != nil {
				return err
			}
			switch s.skipSpace() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				return nil
			default:
				return s.errorf("expected ',' or ']' after array element, found %s", s.describe())
			}
		}
	case c == '"':
		_, _, err := s.stringBody()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || isDigit(c):
		_, err := s.number()
		return err
	}
	return s.errorf("expected a value, found %s", s.describe())
}
