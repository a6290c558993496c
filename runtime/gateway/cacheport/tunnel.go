package cacheport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// origin is where the requests of a connection go: the CONNECT target for intercepted
// tunnels (never the Host header, so a request cannot leave the host the policy allowed).
type origin struct {
	scheme string
	host   string // without port, lower case
	port   int
	// checked says the policy already allowed host:port at CONNECT time.
	checked bool
}

// authority is host:port as it appears in a URL (the port left out when it is the default).
func (o origin) authority() string {
	if (o.scheme == "https" && o.port == 443) || (o.scheme == "http" && o.port == 80) {
		return bracketIPv6(o.host)
	}
	return net.JoinHostPort(o.host, strconv.Itoa(o.port))
}

func bracketIPv6(host string) string {
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		return "[" + host + "]"
	}
	return host
}

// handleConnect answers CONNECT: the policy is asked (unless the client is a patch
// client: patch mode decides per request), then TLS is terminated with a certificate
// minted for the target and the tunnel's requests are served by the inner server.
func (s *Server) handleConnect(w http.ResponseWriter, r *http.Request, client netip.Addr) {
	host, port, err := splitHostPort(r.Host, 443)
	if err != nil {
		s.deny(w, r, http.StatusBadRequest, "CONNECT target: "+err.Error())
		return
	}
	st := s.settings.Load()
	checked := false
	if !(s.patches != nil && st.patchClient(client)) {
		if err := s.check(host, port); err != nil {
			s.deny(w, r, http.StatusForbidden, err.Error())
			return
		}
		checked = true
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "CONNECT is not possible on this connection", http.StatusInternalServerError)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		s.logger.Debug("hijack failed", slog.String("error", err.Error()))
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	var raw net.Conn = conn
	if brw.Reader.Buffered() > 0 { // the client sent its ClientHello without waiting
		raw = &prereadConn{Conn: conn, r: io.MultiReader(brw.Reader, conn)}
	}
	tlsConn := tls.Server(raw, s.minter.Load().ServerConfig(host, s.tlsMin))
	_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tlsConn.Handshake(); err != nil {
		s.logger.Info("intercepted TLS handshake failed (does the client trust the gateway's CA?)",
			slog.String("client", client.String()), slog.String("host", host), slog.String("error", err.Error()))
		conn.Close()
		return
	}
	_ = conn.SetDeadline(time.Time{})
	o := origin{scheme: "https", host: host, port: port, checked: checked}
	if !s.tunnels.push(&tunnelConn{Conn: tlsConn, origin: o, client: client}) {
		tlsConn.Close()
	}
}

// prereadConn replays bytes the HTTP server read ahead before the hijack.
type prereadConn struct {
	net.Conn
	r io.Reader
}

func (c *prereadConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// tunnelConn is an intercepted TLS connection and where its requests go.
type tunnelConn struct {
	net.Conn
	origin origin
	client netip.Addr
}

type tunnelKey struct{}

// tunnelContext puts the tunnel of a connection into the contexts of its requests.
func tunnelContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tunnelConn); ok {
		return context.WithValue(ctx, tunnelKey{}, tc)
	}
	return ctx
}

// tunnelListener hands intercepted connections to the inner HTTP server.
type tunnelListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newTunnelListener() *tunnelListener {
	return &tunnelListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *tunnelListener) push(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.closed:
		return false
	}
}

func (l *tunnelListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *tunnelListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *tunnelListener) Addr() net.Addr { return tunnelAddr{} }

type tunnelAddr struct{}

func (tunnelAddr) Network() string { return "tunnel" }
func (tunnelAddr) String() string  { return "intercepted-tunnels" }

// splitHostPort parses an authority; the port defaults to defaultPort.
func splitHostPort(hostport string, defaultPort int) (string, int, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		var addrErr *net.AddrError
		if errors.As(err, &addrErr) && addrErr.Err == "missing port in address" {
			host, portText = hostport, strconv.Itoa(defaultPort)
		} else {
			return "", 0, errors.New("bad host:port " + strconv.Quote(hostport))
		}
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, errors.New("bad port in " + strconv.Quote(hostport))
	}
	if host == "" {
		return "", 0, errors.New("no host in " + strconv.Quote(hostport))
	}
	return normalizeHost(host), port, nil
}

func normalizeHost(h string) string {
	b := []byte(h)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	if n := len(b); n > 0 && b[n-1] == '.' {
		b = b[:n-1]
	}
	return string(b)
}
