package waf

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// tlsListener completes each TLS handshake itself, before net/http sees the connection,
// so that HTTP/1.1 connections can be wrapped in the request-head guard (which must read
// the decrypted bytes). HTTP/2 connections are handed over as *tls.Conn: net/http serves
// them with its HTTP/2 server, whose binary framing has no smuggling ambiguities.
type tlsListener struct {
	raw              net.Listener
	config           *tls.Config
	handshakeTimeout time.Duration
	maxHead          int

	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func newTLSListener(raw net.Listener, config *tls.Config, handshakeTimeout time.Duration, maxHead int) *tlsListener {
	l := &tlsListener{
		raw:              raw,
		config:           config,
		handshakeTimeout: handshakeTimeout,
		maxHead:          maxHead,
		conns:            make(chan net.Conn),
		done:             make(chan struct{}),
	}
	go l.acceptLoop()
	return l
}

func (l *tlsListener) acceptLoop() {
	for {
		c, err := l.raw.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off as net/http does.
			select {
			case <-l.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		go l.handshake(c)
	}
}

// handshake runs in its own goroutine so that a slow client cannot hold up the others;
// handshakeTimeout bounds it.
func (l *tlsListener) handshake(c net.Conn) {
	tc := tls.Server(c, l.config)
	ctx, cancel := context.WithTimeout(context.Background(), l.handshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		c.Close()
		return
	}
	var conn net.Conn = tc
	if tc.ConnectionState().NegotiatedProtocol != "h2" {
		conn = newGuardedConn(tc, l.maxHead)
	}
	select {
	case l.conns <- conn:
	case <-l.done:
		c.Close()
	}
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tlsListener) Close() error {
	err := net.ErrClosed
	l.closeOnce.Do(func() {
		close(l.done)
		err = l.raw.Close()
	})
	return err
}

func (l *tlsListener) Addr() net.Addr { return l.raw.Addr() }
