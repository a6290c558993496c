package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// h1Proxy is the lean path to one member: plain HTTP/1.1 over keep-alive connections of
// its own, used instead of httputil.ReverseProxy and http.Transport for the requests that
// make up nearly all traffic (no body, or a small body already in memory; no upgrade, no
// CONNECT, no Expect). It exists for CPU: http.Transport runs each exchange through a
// reader and a writer goroutine per connection and several channel hand-offs, which on
// loopback cost as much as the proxying itself. Here the request's own goroutine writes
// the request in one write and reads the response.
//
// What it does is what the ReverseProxy path does (see appendRequest and forwardResponse),
// with the same transport settings: the dialer, limits.upstream_timeout for the response
// headers, the idle pool size and idle timeout. One difference: a client that leaves is
// noticed within watchInterval (h1conn.go), not at once; the member's request is then
// ended by closing its connection, as http.Transport would.
type h1Proxy struct {
	address       string
	dial          func(ctx context.Context, network, address string) (net.Conn, error)
	headerTimeout time.Duration // 0: none
	idle          h1Idle
}

func newH1Proxy(address string, t *http.Transport) *h1Proxy {
	p := &h1Proxy{
		address:       address,
		dial:          t.DialContext,
		headerTimeout: t.ResponseHeaderTimeout,
		idle:          h1Idle{maxIdle: t.MaxIdleConnsPerHost, idleTimeout: t.IdleConnTimeout},
	}
	if p.dial == nil {
		p.dial = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	if p.idle.maxIdle <= 0 {
		p.idle.maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	if p.idle.idleTimeout <= 0 {
		p.idle.idleTimeout = 90 * time.Second
	}
	return p
}

// handlesRequest reports whether r can take the lean path; the others (upgrades,
// CONNECT, Expect: 100-continue, streamed or large bodies) go through
// httputil.ReverseProxy. bufferSmallBody has run before.
func handlesRequest(r *http.Request) bool {
	if r.Method == http.MethodConnect || hasToken(r.Header["Connection"], "upgrade") {
		return false
	}
	if _, expect := r.Header["Expect"]; expect {
		return false
	}
	if r.ContentLength == 0 {
		return true // like ReverseProxy, a request declaring no body sends none
	}
	_, inMemory := r.Body.(*bufferedBody)
	return inMemory
}

// requestBody is the body handlesRequest accepted: nil or the buffered bytes.
func requestBody(r *http.Request) []byte {
	if b, ok := r.Body.(*bufferedBody); ok && r.ContentLength > 0 {
		return b.data
	}
	return nil
}

// serve proxies r to the member. An error means the client got no final response, and
// the pool decides what to do (retry, passive health, 502); once the response has
// started, a failure aborts the client's response as httputil.ReverseProxy does.
//
// A connection taken from the idle pool may have been closed by the member just now. If
// the member answered nothing on it and r may be sent twice (GET, HEAD, OPTIONS, TRACE,
// or an Idempotency-Key header), r is sent again on a new connection, as http.Transport
// does.
func (p *h1Proxy) serve(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	body := requestBody(r)
	c, err := p.conn(ctx)
	if err != nil {
		return err
	}
	resp, err := p.exchange(c, w, r, body)
	if err != nil && c.reused && !c.answered() && closedByMember(err) && replayable(r) && ctx.Err() == nil {
		c.close()
		if c, err = p.connect(ctx); err != nil {
			return err
		}
		resp, err = p.exchange(c, w, r, body)
	}
	if err != nil {
		c.close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}

	buf := proxyBuffers.Get()
	err = forwardResponse(w, resp, buf)
	proxyBuffers.Put(buf)
	if err != nil {
		c.close()
		if r.Context().Value(http.ServerContextKey) != nil {
			panic(http.ErrAbortHandler) // the client must not take a cut response for whole
		}
		return nil
	}
	if !resp.Close && c.in.Buffered() == 0 {
		p.idle.put(c)
	} else {
		c.close()
	}
	return nil
}

// conn returns an idle connection that is still open, or a new one, ready for an
// exchange on behalf of ctx.
func (p *h1Proxy) conn(ctx context.Context) (*h1Conn, error) {
	for c := p.idle.get(); c != nil; c = p.idle.get() {
		c.begin(ctx, p.headerTimeout) // before alive: a lapsed deadline fails the peek
		if c.alive() {
			return c, nil
		}
		c.close()
	}
	return p.connect(ctx)
}

func (p *h1Proxy) connect(ctx context.Context) (*h1Conn, error) {
	conn, err := p.dial(ctx, "tcp", p.address)
	if err != nil {
		return nil, err
	}
	c := newH1Conn(conn)
	c.begin(ctx, p.headerTimeout)
	return c, nil
}

// exchange sends r on c, which begin prepared, and reads the response head.
func (p *h1Proxy) exchange(c *h1Conn, w http.ResponseWriter, r *http.Request, body []byte) (*http.Response, error) {
	out, err := appendRequest(c.out[:0], r, p.address, body)
	if err != nil {
		return nil, err
	}
	c.out = out[:0] // keep the grown buffer for the next request
	if err := c.write(out); err != nil {
		return nil, err
	}
	resp, err := readResponse(c.in, w, r)
	if err != nil {
		return nil, err
	}
	c.headRead()
	return resp, nil
}

// closedByMember reports whether err means the member closed or reset the connection.
func closedByMember(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// replayable reports whether r may be sent again after the member closed the connection
// without answering: http.Transport's rule (safe methods, or an idempotency key).
func replayable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := r.Header["Idempotency-Key"]
	_, xkey := r.Header["X-Idempotency-Key"]
	return key || xkey
}
