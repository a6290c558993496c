package proxy

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Pools of the per-connection read buffer and head buffer: a connection holds them only
// while it reads or forwards requests, never while it relays a tunnel.
var (
	readers     = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}
	headBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
)

// request is one request being served.
type request struct {
	cc     *clientConn
	rules  *Rules
	head   *RequestHead
	client netip.Addr
	br     *bufio.Reader
}

// serve runs the connection: request after request until the client or a refusal ends
// it, or a CONNECT turns it into a tunnel.
func (cc *clientConn) serve() {
	s := cc.server
	defer s.untrack(cc)
	defer cc.conn.Close()
	s.opts.Stats.Connections.Add(1)
	defer s.opts.Stats.Connections.Add(-1)

	client := remoteAddr(cc.conn)
	s.opts.Stats.Clients.Seen(client)

	br := readers.Get().(*bufio.Reader)
	br.Reset(cc.conn)
	headBuf := headBuffers.Get().(*[]byte)
	release := func() {
		if br != nil {
			br.Reset(nil)
			readers.Put(br)
			headBuffers.Put(headBuf)
			br = nil
		}
	}
	defer release()

	for first := true; ; first = false {
		rules := s.opts.Rules()
		wait := rules.Timeouts.Idle
		if first {
			wait = rules.Timeouts.RequestHeader
		}
		cc.idle.Store(true)
		if s.isClosing() {
			return
		}
		cc.conn.SetReadDeadline(time.Now().Add(wait))
		raw, err := readHead(br, *headBuf)
		cc.idle.Store(false)
		if err != nil {
			var headErr *HeadError
			if errors.As(err, &headErr) {
				r := &request{cc: cc, rules: rules, client: client, br: br}
				r.refuseHead(headErr)
			}
			return // EOF, timeout or a refused head: the connection ends
		}
		*headBuf = raw[:0]
		cc.conn.SetReadDeadline(time.Time{})
		r := &request{cc: cc, rules: rules, client: client, br: br}
		head, err := ParseRequestHead(raw)
		if err != nil {
			r.refuseHead(err.(*HeadError))
			return
		}
		r.head = head
		switch head.Method {
		case http.MethodTrace, "TRACK":
			r.refuse(http.StatusForbidden, "policy", "", 0, head.Method+" is not allowed")
			return
		case http.MethodConnect:
			r.connect(release)
			return
		}
		if !r.forward() {
			return
		}
	}
}

// remoteAddr is the client's IP address.
func remoteAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}
