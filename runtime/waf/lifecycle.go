package waf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig"
	"github.com/rampart-sec/rampart/version"
)

// Start binds the traffic listeners (listen.http, listen.https), then the admin API, and
// serves them in the background. /healthz turns 200 only once all are bound. A port in use
// is an error naming the setting and the port.
func (s *Server) Start() error {
	lc := s.current.Load()
	limits := limitsOf(lc.cfg.Limits)
	if err := s.startTraffic(lc.cfg, limits); err != nil {
		s.closeTraffic()
		return err
	}

	adminAddress := s.opts.AdminListen
	if adminAddress == "" {
		adminAddress = lc.cfg.AdminListen()
	}
	adminServer, err := admin.Start(adminAddress, s, s.logger)
	if err != nil {
		s.closeTraffic()
		return err
	}
	s.adminServer = adminServer

	// Under reloadMu so that a POST /reload arriving now cannot leave checks running on a
	// configuration it just replaced.
	s.reloadMu.Lock()
	s.current.Load().startHealthChecks(s)
	s.ready.Store(true)
	s.reloadMu.Unlock()
	s.logger.Info("rampart-waf started",
		slog.String("version", version.Version),
		slog.Any("listen", s.listenerURLs()),
		slog.String("admin", adminServer.Addr().String()),
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Int("sites", len(lc.cfg.Sites)),
		slog.Int("pools", len(lc.cfg.Pools)),
	)
	return nil
}

// startTraffic binds and serves the plain and TLS listeners the configuration asks for.
// Every request passes the connection guard and the hardening handler before the WAF
// handler; with listen.redirect_http the plain listener only redirects to HTTPS.
func (s *Server) startTraffic(cfg *config.Config, limits serverLimits) error {
	waf := &hardening{next: s, server: s, maxBodyBytes: limits.maxBodyBytes}
	if cfg.Listen.HTTP > 0 || s.opts.HTTPListener != nil {
		l, err := s.bind(s.opts.HTTPListener, "listen.http", cfg.Listen.Address, cfg.Listen.HTTP)
		if err != nil {
			return err
		}
		var handler http.Handler = waf
		if cfg.Listen.RedirectHTTP {
			handler = redirectToHTTPS{httpsPort: cfg.Listen.HTTPS}
		}
		s.httpListener = guardedListener{Listener: l, maxHead: limits.maxHead()}
		s.httpServer = limits.newHTTPServer(handler, s.logger)
		s.serve(s.httpServer, s.httpListener)
	}
	if cfg.Listen.HTTPS > 0 || s.opts.HTTPSListener != nil {
		l, err := s.bind(s.opts.HTTPSListener, "listen.https", cfg.Listen.Address, cfg.Listen.HTTPS)
		if err != nil {
			return err
		}
		tlsConfig := tlsconfig.ServerConfig(s.certificates.Load)
		// The handshake is bounded like the header read that follows it.
		s.httpsListener = newTLSListener(l, tlsConfig, limits.readHeaderTimeout, limits.maxHead())
		s.httpsServer = limits.newHTTPServer(waf, s.logger)
		s.serve(s.httpsServer, s.httpsListener)
	}
	return nil
}

// bind returns the listener handed in by the caller, or listens on address:port.
func (s *Server) bind(given net.Listener, setting, address string, port int) (net.Listener, error) {
	if given != nil {
		return given, nil
	}
	hostPort := net.JoinHostPort(address, strconv.Itoa(port))
	l, err := net.Listen("tcp", hostPort)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", setting, hostPort, admin.DescribeListenError(err))
	}
	return l, nil
}

func (s *Server) serve(server *http.Server, l net.Listener) {
	go func() {
		if err := server.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("serve %s: %w", l.Addr(), err)
		}
	}()
}

// closeTraffic undoes startTraffic after a failed start.
func (s *Server) closeTraffic() {
	for _, server := range []*http.Server{s.httpServer, s.httpsServer} {
		if server != nil {
			server.Close()
		}
	}
	// A listener bound before its server existed (the second bind failed).
	for _, l := range []net.Listener{s.httpListener, s.httpsListener} {
		if l != nil {
			l.Close()
		}
	}
}

// listenerURLs are the bound traffic listeners, e.g. http://127.0.0.1:8080.
func (s *Server) listenerURLs() []string {
	urls := []string{}
	if s.httpListener != nil {
		urls = append(urls, "http://"+s.httpListener.Addr().String())
	}
	if s.httpsListener != nil {
		urls = append(urls, "https://"+s.httpsListener.Addr().String())
	}
	return urls
}

// HTTPAddr is the bound plain-HTTP traffic address (after Start), nil without one.
func (s *Server) HTTPAddr() net.Addr {
	if s.httpListener == nil {
		return nil
	}
	return s.httpListener.Addr()
}

// HTTPSAddr is the bound HTTPS traffic address (after Start), nil without one.
func (s *Server) HTTPSAddr() net.Addr {
	if s.httpsListener == nil {
		return nil
	}
	return s.httpsListener.Addr()
}

// AdminAddr is the bound admin API address (after Start).
func (s *Server) AdminAddr() net.Addr { return s.adminServer.Addr() }

// Wait serves until ctx ends (SIGTERM) or a listener fails, then shuts down gracefully.
func (s *Server) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-s.serveErr:
		s.logger.Error("listener failed", slog.String("error", serveErr.Error()))
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, s.Shutdown(shutdownCtx))
}

// Shutdown stops accepting connections, lets in-flight requests finish until ctx ends,
// then stops the admin API and health checks. It is safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.ready.Store(false)
		s.logger.Info("rampart-waf shutting down")
		var errs []error
		for _, server := range []*http.Server{s.httpServer, s.httpsServer} {
			if server == nil {
				continue
			}
			if err := server.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("shut down traffic listener: %w", err))
			}
		}
		if s.adminServer != nil {
			if err := s.adminServer.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.reloadMu.Lock() // no reload may start health checks after this
		s.current.Load().stopHealthChecks()
		s.reloadMu.Unlock()
		s.transport.CloseIdleConnections()
		s.events.Close() // sends what the syslog queue holds, for a bounded time
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("rampart-waf stopped")
	})
	return s.shutdownErr
}
