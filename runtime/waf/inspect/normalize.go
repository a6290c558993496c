package inspect

// Attackers hide payloads from pattern matching by encoding them (%3Cscript%3E, double
// encoding %253C), mixing case (UnIoN) and splitting keywords with SQL comments
// (UNION/**/SELECT). Rules therefore match a normalized copy of each value. Normalization
// works in place: every step only shrinks the input, so one pooled buffer serves a whole
// request without allocating.

// maxDecodePasses bounds repeated percent-decoding: enough for double and triple encoding,
// small enough that a crafted input cannot make us loop.
const maxDecodePasses = 3

// normalize rewrites b in place and returns the normalized prefix. plusIsSpace applies to
// query strings and form bodies, where '+' encodes a space.
func normalize(b []byte, plusIsSpace bool) []byte {
	for pass := 0; pass < maxDecodePasses; pass++ {
		var changed bool
		b, changed = percentDecode(b, plusIsSpace && pass == 0)
		if !changed {
			break
		}
	}
	lowerASCII(b)
	return stripComments(b)
}

// percentDecode decodes %XX escapes (and '+' when plusIsSpace) in place. Invalid escapes
// are kept as they are, as lenient servers do. NUL bytes are dropped: no legitimate URL
// value needs them and some parsers stop at them.
func percentDecode(b []byte, plusIsSpace bool) (out []byte, changed bool) {
	w := 0
	for r := 0; r < len(b); r++ {
		c := b[r]
		switch {
		case c == '%' && r+2 < len(b) && isHex(b[r+1]) && isHex(b[r+2]):
			c = unhex(b[r+1])<<4 | unhex(b[r+2])
			r += 2
			changed = true
		case c == '+' && plusIsSpace:
			c = ' '
			changed = true
		}
		if c == 0 {
			changed = true
			continue
		}
		b[w] = c
		w++
	}
	return b[:w], changed
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// stripComments replaces each complete /* ... */ comment with one space, so that
// UNION/**/SELECT reads as UNION SELECT. An unterminated /* is kept: rules look for it.
func stripComments(b []byte) []byte {
	w := 0
	for r := 0; r < len(b); r++ {
		if b[r] == '/' && r+1 < len(b) && b[r+1] == '*' {
			if end := indexCommentEnd(b[r+2:]); end >= 0 {
				b[w] = ' '
				w++
				r += 2 + end + 1 // skip to the '/' of "*/"
				continue
			}
		}
		b[w] = b[r]
		w++
	}
	return b[:w]
}

// indexCommentEnd returns the index of "*/" in b, or -1.
func indexCommentEnd(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '*' && b[i+1] == '/' {
			return i
		}
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
