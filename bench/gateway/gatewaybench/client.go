package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// How a client reaches the origin through a proxy.
type routeMode int

const (
	// viaPlainHTTP sends absolute-URI requests (GET http://origin/...) to the proxy.
	viaPlainHTTP routeMode = iota
	// viaTunnel sends CONNECT, then TLS to the origin through the tunnel.
	viaTunnel
)

// route is one way to the origin: the proxy address, and what the client trusts.
type route struct {
	Mode  routeMode
	Proxy string // 127.0.0.1:port
	// Port is the origin port (its HTTP port for viaPlainHTTP, its TLS port for tunnels).
	Port int
	// Roots are what the client trusts inside a tunnel: the origin CA for a plain
	// tunnel, the interception CA when the proxy terminates TLS.
	Roots *x509.CertPool
}

// requestTimeout bounds every client step, so no load loop can hang.
const requestTimeout = 60 * time.Second

// clientConn is one keep-alive client connection through a proxy.
type clientConn struct {
	conn   net.Conn
	br     *bufio.Reader
	prefix string // "http://host:port" before the path for plain HTTP; "" inside a tunnel
	host   string // the Host header
}

// dialRoute opens a connection along rt: for tunnels, CONNECT and the TLS handshake.
func dialRoute(ctx context.Context, rt route) (*clientConn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", rt.Proxy)
	if err != nil {
		return nil, fmt.Errorf("dial proxy %s: %w", rt.Proxy, err)
	}
	authority := net.JoinHostPort(originHost, strconv.Itoa(rt.Port))
	c := &clientConn{conn: raw, host: authority}
	if rt.Mode == viaPlainHTTP {
		c.br = bufio.NewReaderSize(raw, 32<<10)
		c.prefix = "http://" + authority
		return c, nil
	}
	_ = raw.SetDeadline(time.Now().Add(requestTimeout))
	if err := sendConnect(raw, authority); err != nil {
		raw.Close()
		return nil, err
	}
	tc := tls.Client(raw, &tls.Config{ServerName: originHost, RootCAs: rt.Roots, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS through the tunnel: %w", err)
	}
	_ = raw.SetDeadline(time.Time{})
	c.conn, c.br = tc, bufio.NewReaderSize(tc, 32<<10)
	return c, nil
}

// sendConnect asks for a tunnel to authority and reads the proxy's answer. The answer is
// read byte-exactly (http.ReadResponse on a reader of the raw connection would be fine
// too, but could read ahead into the TLS handshake that follows).
func sendConnect(conn net.Conn, authority string) error {
	if _, err := fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", authority, authority); err != nil {
		return fmt.Errorf("send CONNECT: %w", err)
	}
	br := bufio.NewReaderSize(conn, 1) // 1 byte at a time: nothing beyond the head is consumed
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		return fmt.Errorf("read the answer to CONNECT: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return &refusedError{Authority: authority, Status: resp.StatusCode}
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("CONNECT %s: the proxy sent data before the TLS handshake", authority)
	}
	return nil
}

// get sends GET path and reads the whole answer, copying its body into sink. It returns
// the status and the body length.
func (c *clientConn) get(path string, sink io.Writer, buf []byte) (int, int64, error) {
	_ = c.conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := io.WriteString(c.conn, "GET "+c.prefix+path+" HTTP/1.1\r\nHost: "+c.host+"\r\n\r\n"); err != nil {
		return 0, 0, fmt.Errorf("send GET %s: %w", path, err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("read answer to GET %s: %w", path, err)
	}
	n, err := io.CopyBuffer(sink, resp.Body, buf)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, n, fmt.Errorf("read body of GET %s: %w", path, err)
	}
	if resp.Close {
		return resp.StatusCode, n, fmt.Errorf("GET %s: the proxy closed the keep-alive connection", path)
	}
	return resp.StatusCode, n, nil
}

func (c *clientConn) close() { _ = c.conn.Close() }

// refusedError is a proxy's answer other than 200 to CONNECT.
type refusedError struct {
	Authority string
	Status    int
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("CONNECT %s: the proxy answered %d", e.Authority, e.Status)
}
