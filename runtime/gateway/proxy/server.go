// Package proxy is the gateway's proxy port (default 1080): an explicit HTTP forward proxy
// for absolute-URI requests and CONNECT tunnels, limited to the destinations the policy
// allows (runtime/gateway/policy), reaching them through runtime/gateway/dialer and
// relaying tunnels with runtime/gateway/tunnel.
//
// Files: head.go parses and checks request heads (smuggling guard), conn.go runs one client
// connection, connect.go and sni.go serve CONNECT, forward.go plain HTTP, refuse.go the
// refusals and their log lines.
package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/dialer"
	"github.com/rampart-sec/rampart/runtime/gateway/policy"
	"github.com/rampart-sec/rampart/runtime/gateway/stats"
)

// Rules are the parts of one configuration the proxy port applies. A connection takes the
// current Rules for each request, so a reload applies from the next request on.
type Rules struct {
	Policy          *policy.Policy
	Dialer          *dialer.Dialer
	RequireSNIMatch bool
	Timeouts        config.Durations
	// direct and viaUpstream forward plain HTTP (built by NewRules).
	direct, viaUpstream *http.Transport
}

// NewRules builds the rules of a validated configuration.
func NewRules(cfg *config.Config) (*Rules, error) {
	p := policy.New(cfg.Destinations())
	d, err := dialer.New(cfg, p)
	if err != nil {
		return nil, err
	}
	r := &Rules{Policy: p, Dialer: d, RequireSNIMatch: cfg.RequireSNIMatch, Timeouts: cfg.Durations()}
	r.direct, r.viaUpstream = newTransports(r)
	return r, nil
}

// Close releases the idle upstream connections of rules that are no longer current.
func (r *Rules) Close() {
	r.direct.CloseIdleConnections()
	if r.viaUpstream != nil {
		r.viaUpstream.CloseIdleConnections()
	}
}

// Options configure a Server.
type Options struct {
	Rules  func() *Rules // the current rules; required
	Stats  *stats.Stats  // required
	Logger *slog.Logger  // required
}

// Server is the proxy port.
type Server struct {
	opts Options

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*clientConn]struct{}
	closing   bool
	wg        sync.WaitGroup
}

// New returns a proxy port; call Serve.
func New(opts Options) *Server {
	return &Server{opts: opts, listeners: map[net.Listener]struct{}{}, conns: map[*clientConn]struct{}{}}
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("proxy port closed")

// Serve accepts clients on l until Shutdown (ErrServerClosed) or an accept error.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyFiles) {
				// Out of file descriptors: back off instead of spinning, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.opts.Logger.Warn("accept failed; retrying", slog.String("error", err.Error()), slog.Duration("retry_in", delay))
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		cc := &clientConn{server: s, conn: c}
		if !s.track(cc) {
			c.Close()
			return ErrServerClosed
		}
		go cc.serve()
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) track(cc *clientConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[cc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(cc *clientConn) {
	s.mu.Lock()
	delete(s.conns, cc)
	s.mu.Unlock()
	s.wg.Done()
}

// Shutdown stops accepting, closes connections waiting for a request, lets requests and
// tunnels in flight run until ctx ends, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
	for cc := range s.conns {
		if cc.idle.Load() {
			cc.conn.Close()
		}
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for cc := range s.conns {
			cc.conn.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// clientConn is one client connection.
type clientConn struct {
	server *Server
	conn   net.Conn
	idle   atomic.Bool // waiting for the next request head: safe to close on shutdown
}
