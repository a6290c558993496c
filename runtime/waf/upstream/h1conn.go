package upstream

import (
	"bufio"
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// maxResponseHeadBytes bounds a member's response head (status line and headers, 1xx
// responses included): a broken or hostile member cannot make the WAF buffer without end.
const maxResponseHeadBytes = 1 << 20

// errResponseHeadTooLarge is returned when a member's response head passes the bound.
var errResponseHeadTooLarge = errors.New("upstream response headers exceed 1 MiB")

// h1Conn is one keep-alive HTTP/1.1 connection to a member. A request owns it from the
// moment it takes it from the idle pool until it puts it back, so nothing in it is locked.
type h1Conn struct {
	conn   net.Conn
	watch  exchangeWatch // the current request's client and head deadline
	reader connReader    // between conn and in: bounds the head, counts what was read
	in     *bufio.Reader // the member's responses
	out    []byte        // the request head (and small body) being written, reused

	idleSince time.Time // when it was put back in the idle pool
	reused    bool      // it carried a request before the current one

	raw     syscall.RawConn // for the liveness check; nil when the conn has no descriptor
	peekFn  func(fd uintptr) bool
	peekN   int
	peekErr error
	peekBuf [1]byte
}

func newH1Conn(c net.Conn) *h1Conn {
	hc := &h1Conn{conn: c, out: make([]byte, 0, 1024)}
	hc.watch.conn = c
	hc.reader.conn = c
	hc.reader.watch = &hc.watch
	hc.reader.limit = -1
	hc.in = bufio.NewReaderSize(&hc.reader, 4096)
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			hc.raw = raw
			hc.peekFn = hc.peek // one method value per connection, not one per check
		}
	}
	return hc
}

// begin prepares the connection for an exchange on behalf of a client request with
// context ctx: reads and writes wait in slices (exchangeWatch), the response head must
// arrive within headerTimeout (0: no bound) and is bounded in size, and what is read is
// counted from zero.
func (c *h1Conn) begin(ctx context.Context, headerTimeout time.Duration) {
	c.watch.start(ctx, headerTimeout)
	c.reader.read = 0
	c.reader.limit = maxResponseHeadBytes
}

// headRead lifts the head's size and time bounds: the body that follows may be of any
// length and take as long as it takes, as long as the client waits.
func (c *h1Conn) headRead() {
	c.reader.limit = -1
	c.watch.headDeadline = time.Time{}
}

// write sends b whole, waiting in slices like reads do.
func (c *h1Conn) write(b []byte) error {
	for len(b) > 0 {
		n, err := c.conn.Write(b)
		b = b[n:]
		if err == nil {
			continue
		}
		if !isTimeout(err) {
			return err
		}
		if err := c.watch.next(err); err != nil {
			return err
		}
	}
	return nil
}

// answered reports whether the member sent any byte of a response to the current request.
func (c *h1Conn) answered() bool { return c.reader.read > 0 }

func (c *h1Conn) close() { c.conn.Close() }

// connReader reads from the connection for the bufio.Reader, counting bytes and, while a
// response head is read, refusing to go past maxResponseHeadBytes.
type connReader struct {
	conn  net.Conn
	watch *exchangeWatch
	read  int64 // bytes read since begin
	limit int64 // bytes that may be read since begin; negative: no bound
}

func (r *connReader) Read(p []byte) (int, error) {
	if r.limit >= 0 {
		left := r.limit - r.read
		if left <= 0 {
			return 0, errResponseHeadTooLarge
		}
		if int64(len(p)) > left {
			p = p[:left]
		}
	}
	for {
		n, err := r.conn.Read(p)
		r.read += int64(n)
		if n > 0 || err == nil || !isTimeout(err) {
			return n, err
		}
		if err := r.watch.next(err); err != nil {
			return 0, err
		}
	}
}

// watchInterval is how often a read or write waiting on a member checks that the client
// is still there. It bounds how long a member keeps working for a client that left.
const watchInterval = 500 * time.Millisecond

// exchangeWatch ends an exchange whose client went away or whose response head is late.
// Instead of a context callback per request (context.AfterFunc costs as much as a system
// call here), the connection's deadline is set a slice ahead; when a slice passes with
// the member still silent, next checks the client and the head deadline and arms the next
// slice. A request answered within the first slice costs a single SetDeadline.
type exchangeWatch struct {
	conn         net.Conn
	ctx          context.Context
	headDeadline time.Time // zero once the head is read, or without upstream_timeout
}

func (w *exchangeWatch) start(ctx context.Context, headerTimeout time.Duration) {
	w.ctx = ctx
	now := time.Now()
	w.headDeadline = time.Time{}
	if headerTimeout > 0 {
		w.headDeadline = now.Add(headerTimeout)
	}
	w.arm(now)
}

// next is called when a slice ended with a timeout: it returns why the exchange must
// stop (the client's context error, or timeout: the head is overdue), or arms the next
// slice and returns nil.
func (w *exchangeWatch) next(timeout error) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	if !w.headDeadline.IsZero() && !now.Before(w.headDeadline) {
		return timeout
	}
	w.arm(now)
	return nil
}

func (w *exchangeWatch) arm(now time.Time) {
	deadline := now.Add(watchInterval)
	if !w.headDeadline.IsZero() && w.headDeadline.Before(deadline) {
		deadline = w.headDeadline
	}
	w.conn.SetDeadline(deadline)
}
