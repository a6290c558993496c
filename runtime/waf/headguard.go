package waf

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"sync/atomic"
)

// guardedConn examines every HTTP/1.x request head on a connection before net/http parses
// it, because net/http normalises away exactly what request smuggling relies on: it drops
// Content-Length when Transfer-Encoding is present, merges identical duplicate
// Content-Length fields, unfolds obs-fold continuation lines, ignores Transfer-Encoding in
// HTTP/1.0 and answers 501 (not 400) to unknown transfer codings. A proxy in front of the
// WAF may read such a message differently, so it is refused outright.
//
// To find each next head the guard follows the message framing (Content-Length and
// chunked bodies) as net/http does. A refused head is replaced by a fixed synthetic request
// that carries the reason in the rejectedHeader field and closes the connection; the
// hardening handler answers it with a 400 and a request id, like any other refusal. Nothing
// of a head is passed on before the whole head has been checked.
//
// net/http reads from one goroutine at a time (its background reader included), so the
// read side needs no lock; Write runs on another goroutine and only touches upgrade.
type guardedConn struct {
	net.Conn
	maxHead int // longest request head accepted, as net/http's MaxHeaderBytes + 4096

	raw     []byte // read from the connection, not yet examined
	ready   []byte // examined, waiting for Read
	state   guardState
	left    int64 // bytes left of the current fixed-length body or chunk
	failure error // set when a body cannot be framed; returned by Read from then on
	upgrade atomic.Int32

	// Backing arrays that raw and ready return to whenever they empty, so that a
	// long keep-alive connection does not allocate per request.
	rawStore, readyStore []byte
}

type guardState int

const (
	stateHead         guardState = iota // expecting a request head
	stateFixedBody                      // left bytes of a Content-Length body
	stateChunkSize                      // expecting a chunk-size line
	stateChunkData                      // left bytes of chunk data
	stateChunkDataEnd                   // expecting the CRLF after chunk data
	stateTrailers                       // expecting trailer lines up to an empty line
	stateUpgradeWait                    // an Upgrade request is answered: 101 or not?
	statePassthrough                    // the connection was upgraded: no HTTP any more
	stateEnd                            // nothing more is passed on
)

// Values of upgrade, set by Write while the read side waits in stateUpgradeWait.
const (
	upgradeNone     = 0
	upgradeWaiting  = 1
	upgradeSwitched = 2
	upgradeRefused  = 3
)

// rejectedHeader carries the guard's reason to the hardening handler. The name is
// reserved: a client that sends it is refused too.
const rejectedHeader = "Rampart-Rejected"

// Reasons for refusing a request head; the hardening handler explains them.
const (
	reasonBothLengths     = "content-length-with-transfer-encoding"
	reasonDuplicateLength = "duplicate-content-length"
	reasonBadLength       = "invalid-content-length"
	reasonTransferCoding  = "unsupported-transfer-encoding"
	reasonHTTP10Chunked   = "transfer-encoding-in-http-1.0"
	reasonObsFold         = "obsolete-line-folding"
	reasonControlChar     = "control-character"
	reasonMalformedHeader = "malformed-header"
	reasonReservedHeader  = "reserved-header"
	reasonHeadTooLarge    = "request-header-too-large"
)

var errBadChunk = errors.New("malformed chunked request body")

func newGuardedConn(c net.Conn, maxHead int) *guardedConn {
	g := &guardedConn{Conn: c, maxHead: maxHead, rawStore: make([]byte, 0, 4096), readyStore: make([]byte, 0, 4096)}
	g.raw, g.ready = g.rawStore, g.readyStore
	return g
}

// guardedListener wraps every accepted connection in a guardedConn.
type guardedListener struct {
	net.Listener
	maxHead int
}

func (l guardedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newGuardedConn(c, l.maxHead), nil
}

// Read hands out examined bytes, reading and examining more as needed.
func (g *guardedConn) Read(p []byte) (int, error) {
	for len(g.ready) == 0 {
		if g.failure != nil {
			return 0, g.failure
		}
		if g.state == stateEnd {
			return 0, io.EOF
		}
		if len(g.raw) == 0 && g.inBody() {
			return g.readBody(p)
		}
		if g.examine() {
			continue
		}
		if err := g.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, g.ready)
	g.ready = g.ready[n:]
	if len(g.ready) == 0 {
		g.ready = g.readyStore[:0]
	}
	return n, nil
}

// fill reads more of the connection into raw. Deadlines and EOF pass through unchanged:
// net/http aborts its background read with a past deadline and expects that timeout.
func (g *guardedConn) fill() error {
	if len(g.raw) == cap(g.raw) {
		g.raw = append(g.raw, make([]byte, 4096)...)[:len(g.raw)]
	}
	n, err := g.Conn.Read(g.raw[len(g.raw):cap(g.raw)])
	g.raw = g.raw[:len(g.raw)+n]
	if n > 0 {
		return nil
	}
	return err
}

// inBody reports whether the next bytes are body (or upgraded) bytes that need no
// examination beyond counting.
func (g *guardedConn) inBody() bool {
	return g.state == stateFixedBody || g.state == stateChunkData || g.state == statePassthrough
}

// readBody reads body bytes straight into p, without copying, up to the end of the body
// or chunk.
func (g *guardedConn) readBody(p []byte) (int, error) {
	if g.state != statePassthrough && int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.Conn.Read(p)
	if g.state != statePassthrough {
		g.counted(int64(n))
	}
	return n, err
}

// counted records n bytes of the current body or chunk as passed on.
func (g *guardedConn) counted(n int64) {
	g.left -= n
	if g.left > 0 {
		return
	}
	if g.state == stateFixedBody {
		g.state = stateHead
	} else {
		g.state = stateChunkDataEnd
	}
}

// Write watches for the answer to an Upgrade request: a 101 switches the connection to
// another protocol, anything final keeps HTTP (and the guard) going.
func (g *guardedConn) Write(p []byte) (int, error) {
	if g.upgrade.Load() == upgradeWaiting && bytes.HasPrefix(p, []byte("HTTP/1.")) && len(p) >= 12 {
		switch status := string(p[9:12]); {
		case status == "101":
			g.upgrade.Store(upgradeSwitched)
		case status[0] != '1': // not an interim 100 Continue or 103 Early Hints
			g.upgrade.Store(upgradeRefused)
		}
	}
	return g.Conn.Write(p)
}

// examine moves what it can from raw to ready and reports whether it made progress.
func (g *guardedConn) examine() bool {
	switch g.state {
	case stateHead:
		return g.examineHead()
	case stateFixedBody, stateChunkData:
		if len(g.raw) == 0 {
			return false
		}
		n := min(int64(len(g.raw)), g.left)
		g.pass(int(n))
		g.counted(n)
		return true
	case stateChunkSize:
		line, ok := g.line()
		if !ok {
			return false
		}
		size, err := parseChunkSize(line)
		if err != nil {
			g.failure = errBadChunk
			return true
		}
		g.pass(len(line))
		g.state, g.left = stateChunkData, size
		if size == 0 {
			g.state = stateTrailers
		}
		return true
	case stateChunkDataEnd:
		if len(g.raw) < 2 {
			return false
		}
		if g.raw[0] != '\r' || g.raw[1] != '\n' {
			g.failure = errBadChunk
			return true
		}
		g.pass(2)
		g.state = stateChunkSize
		return true
	case stateTrailers:
		line, ok := g.line()
		if !ok {
			return false
		}
		g.pass(len(line))
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			g.state = stateHead
		}
		return true
	case stateUpgradeWait:
		switch g.upgrade.Load() {
		case upgradeSwitched:
			g.state = statePassthrough
		case upgradeRefused:
			g.upgrade.Store(upgradeNone)
			g.state = stateHead
		default:
			return false
		}
		return true
	case statePassthrough:
		if len(g.raw) == 0 {
			return false
		}
		g.pass(len(g.raw))
		return true
	}
	return false
}

// line returns the next line of raw including its "\n", if complete. A line longer than a
// request head is a framing failure.
func (g *guardedConn) line() ([]byte, bool) {
	end := bytes.IndexByte(g.raw, '\n')
	if end < 0 {
		if len(g.raw) > g.maxHead {
			g.failure = errBadChunk
			return nil, true
		}
		return nil, false
	}
	return g.raw[:end+1], true
}

// pass moves n examined bytes from raw to ready.
func (g *guardedConn) pass(n int) {
	g.ready = append(g.ready, g.raw[:n]...)
	g.raw = g.raw[n:]
	if len(g.raw) == 0 {
		g.raw = g.rawStore[:0]
	}
}

func (g *guardedConn) examineHead() bool {
	end := headEnd(g.raw)
	if end < 0 {
		if len(g.raw) > g.maxHead {
			g.refuse(reasonHeadTooLarge)
			return true
		}
		return false
	}
	head := parseHead(g.raw[:end])
	if head.reason != "" {
		g.refuse(head.reason)
		return true
	}
	g.pass(end)
	switch {
	case head.chunked:
		g.state = stateChunkSize
	case head.length > 0:
		g.state, g.left = stateFixedBody, head.length
	case head.upgrade:
		g.state = stateUpgradeWait
		g.upgrade.Store(upgradeWaiting)
	}
	return true
}

// refuse replaces the refused head (and everything after it) with the synthetic request
// the hardening handler answers, then ends the connection.
func (g *guardedConn) refuse(reason string) {
	g.ready = append(g.ready, "GET / HTTP/1.1\r\nHost: rejected.invalid\r\n"+rejectedHeader+": "+reason+"\r\nConnection: close\r\n\r\n"...)
	g.raw = g.rawStore[:0]
	g.state = stateEnd
}

// headEnd returns the length of the request head at the start of b (through its empty
// line), or -1 when it is not complete. Lines may end in CRLF or a bare LF, as net/http
// accepts both.
func headEnd(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		next := i + j + 1
		if next < len(b) && b[next] == '\n' {
			return next + 1
		}
		if next+1 < len(b) && b[next] == '\r' && b[next+1] == '\n' {
			return next + 2
		}
		if next >= len(b) {
			return -1
		}
		i = next
	}
}

// requestHead is what the guard needs to know about a head.
type requestHead struct {
	reason  string // why it is refused; "" when it is not
	chunked bool
	length  int64
	upgrade bool
}

// parseHead checks a complete request head. Whatever it does not refuse, net/http parses
// again and may still reject with its own 400.
func parseHead(head []byte) requestHead {
	var h requestHead
	lines := bytes.Split(bytes.TrimRight(head, "\r\n"), []byte("\n"))
	requestLine := bytes.TrimSuffix(lines[0], []byte("\r"))
	if hasControl(requestLine) {
		return requestHead{reason: reasonControlChar}
	}
	parsed := parseRequestLine(requestLine)
	if reason := parsed.refusal(); reason != "" {
		return requestHead{reason: reason}
	}
	http10 := bytes.HasSuffix(requestLine, []byte(" HTTP/1.0"))
	var lengths, codings int
	var connectionUpgrade, upgradeField bool
	for _, line := range lines[1:] {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			return requestHead{reason: reasonObsFold}
		}
		if hasControl(line) {
			return requestHead{reason: reasonControlChar}
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return requestHead{reason: reasonMalformedHeader}
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			lengths++
			n, err := strconv.ParseUint(string(value), 10, 63)
			if err != nil {
				if bytes.IndexByte(value, ',') >= 0 {
					return requestHead{reason: reasonDuplicateLength}
				}
				return requestHead{reason: reasonBadLength}
			}
			h.length = int64(n)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			codings++
			if !bytes.EqualFold(value, []byte("chunked")) {
				return requestHead{reason: reasonTransferCoding}
			}
			h.chunked = true
		case bytes.EqualFold(name, []byte(rejectedHeader)):
			return requestHead{reason: reasonReservedHeader}
		case bytes.EqualFold(name, []byte("Host")):
			if reason := hostRefusal(value, parsed); reason != "" {
				return requestHead{reason: reason}
			}
		case bytes.EqualFold(name, []byte("Connection")):
			connectionUpgrade = connectionUpgrade || containsToken(value, "upgrade")
		case bytes.EqualFold(name, []byte("Upgrade")):
			upgradeField = true
		}
	}
	switch {
	case lengths > 0 && codings > 0:
		return requestHead{reason: reasonBothLengths}
	case lengths > 1:
		return requestHead{reason: reasonDuplicateLength}
	case codings > 1:
		return requestHead{reason: reasonTransferCoding}
	case codings > 0 && http10:
		return requestHead{reason: reasonHTTP10Chunked}
	}
	h.upgrade = connectionUpgrade && upgradeField
	return h
}

// parseChunkSize reads a chunk-size line as net/http does: hex digits, optional
// extensions after ';', trailing whitespace ignored.
func parseChunkSize(line []byte) (int64, error) {
	line = bytes.TrimRight(line, " \t\r\n")
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = bytes.TrimRight(line[:i], " \t")
	}
	if len(line) == 0 || len(line) > 15 {
		return 0, errBadChunk
	}
	n, err := strconv.ParseInt(string(line), 16, 64)
	if err != nil || n < 0 || line[0] == '+' || line[0] == '-' {
		return 0, errBadChunk
	}
	return n, nil
}

// hasControl reports a control character other than horizontal tab (which header values
// may contain): NUL, a bare CR, DEL and the like.
func hasControl(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

// isToken reports whether b is an RFC 9110 token, the syntax of a header name.
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0:
		default:
			return false
		}
	}
	return len(b) > 0
}

// containsToken reports whether the comma-separated list value holds token (any case).
func containsToken(value []byte, token string) bool {
	for part := range bytes.SplitSeq(value, []byte(",")) {
		if bytes.EqualFold(bytes.Trim(part, " \t"), []byte(token)) {
			return true
		}
	}
	return false
}
