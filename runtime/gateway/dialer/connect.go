package dialer

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// UpstreamError is the upstream proxy's refusal of a CONNECT.
type UpstreamError struct {
	StatusCode int
	Status     string
}

func (e *UpstreamError) Error() string {
	return "upstream proxy answered CONNECT with " + e.Status
}

// connectVia opens a tunnel to target through the upstream proxy. The credentials of the
// proxy URL go in Proxy-Authorization; neither they nor the URL appear in errors.
func connectVia(ctx context.Context, proxy *url.URL, target string) (net.Conn, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", proxy.Host)
	if err != nil {
		return nil, fmt.Errorf("connect to upstream proxy %s: %w", proxy.Host, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	head := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if auth := ProxyAuthorization(proxy); auth != "" {
		head += "Proxy-Authorization: " + auth + "\r\n"
	}
	head += "\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("upstream proxy %s: send CONNECT: %w", proxy.Host, err)
	}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("upstream proxy %s: read CONNECT answer: %w", proxy.Host, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &UpstreamError{StatusCode: resp.StatusCode, Status: resp.Status}
	}
	conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		// The destination spoke first and its bytes came with the answer.
		pending, _ := br.Peek(br.Buffered())
		return &prefixedConn{Conn: conn, pending: pending}, nil
	}
	return conn, nil
}

// ProxyAuthorization is the Basic credentials header value of a proxy URL, "" without
// credentials.
func ProxyAuthorization(proxy *url.URL) string {
	if proxy.User == nil {
		return ""
	}
	password, _ := proxy.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(proxy.User.Username()+":"+password))
}

// prefixedConn is a connection whose first bytes were already read.
type prefixedConn struct {
	net.Conn
	pending []byte
}

func (c *prefixedConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
