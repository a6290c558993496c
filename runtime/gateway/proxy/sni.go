package proxy

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

var errHelloRead = errors.New("ClientHello read")

// peekServerName reads the client's TLS ClientHello from br and returns the server name
// it asks for plus the exact bytes read, to be forwarded to the destination unchanged.
// The ClientHello is parsed by crypto/tls itself (a server handshake stopped right after
// the hello), not by a hand-written parser.
func peekServerName(br *bufio.Reader) (string, []byte, error) {
	rec := &recordingConn{r: br}
	var serverName string
	var sawHello bool
	server := tls.Server(rec, &tls.Config{
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			serverName, sawHello = hello.ServerName, true
			return nil, errHelloRead
		},
	})
	// The handshake always fails: either with errHelloRead once the hello is parsed, or
	// earlier because the client did not send one.
	_ = server.Handshake()
	if !sawHello {
		return "", nil, errors.New("not a TLS ClientHello")
	}
	return serverName, rec.read, nil
}

// recordingConn feeds the TLS server what the client sent and keeps a copy; it never
// writes (the handshake stops before any answer).
type recordingConn struct {
	r    *bufio.Reader
	read []byte
}

// maxHello bounds what a ClientHello may take (large post-quantum key shares included).
const maxHello = 64 << 10

func (c *recordingConn) Read(p []byte) (int, error) {
	if len(c.read) >= maxHello {
		return 0, errors.New("ClientHello too large")
	}
	n, err := c.r.Read(p)
	c.read = append(c.read, p[:n]...)
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *recordingConn) Close() error                     { return nil }
func (c *recordingConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *recordingConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *recordingConn) SetDeadline(time.Time) error      { return nil }
func (c *recordingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *recordingConn) SetWriteDeadline(time.Time) error { return nil }
