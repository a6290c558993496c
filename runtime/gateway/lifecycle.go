package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/gateway/proxy"
	"github.com/rampart-sec/rampart/version"
)

// Start checks the open-file limit, binds the proxy and cache ports and the admin API, and
// serves them in the background. /healthz turns 200 once all are bound. A port in use is an
// error naming the setting and the port.
func (s *Server) Start() error {
	RaiseOpenFileLimit(s.logger)
	lc := s.current.Load()
	var err error
	if s.proxyListener, err = bind(s.opts.ProxyListener, "listen.proxy", lc.cfg.Listen.Address, lc.cfg.Listen.Proxy); err != nil {
		return err
	}
	if s.cacheListener, err = bind(s.opts.CacheListener, "listen.cache", lc.cfg.Listen.Address, lc.cfg.Listen.Cache); err != nil {
		s.proxyListener.Close()
		return err
	}
	adminAddress := s.opts.AdminListen
	if adminAddress == "" {
		adminAddress = lc.cfg.AdminListen()
	}
	if s.adminServer, err = admin.Start(adminAddress, s, s.logger); err != nil {
		s.proxyListener.Close()
		s.cacheListener.Close()
		return err
	}
	go func() {
		if err := s.proxy.Serve(s.proxyListener); !errors.Is(err, proxy.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("proxy port %s: %w", s.proxyListener.Addr(), err)
		}
	}()
	go func() {
		if err := s.cache.Serve(s.cacheListener); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("cache port %s: %w", s.cacheListener.Addr(), err)
		}
	}()
	s.ready.Store(true)
	attrs := []any{
		slog.String("version", version.Version),
		slog.String("proxy", s.proxyListener.Addr().String()),
		slog.String("cache", s.cacheListener.Addr().String()),
		slog.String("admin", s.adminServer.Addr().String()),
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Int("allowed_destinations", len(lc.cfg.Destinations())),
		slog.String("tls_min_version", lc.cfg.TLSMinVersion),
	}
	if up := lc.cfg.UpstreamProxy; up != nil {
		attrs = append(attrs, slog.String("upstream_proxy", up.Redacted()))
	}
	s.logger.Info("rampart-gateway started", attrs...)
	return nil
}

// bind returns the listener handed in by the caller, or listens on address:port.
func bind(given net.Listener, setting, address string, port int) (net.Listener, error) {
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

// ProxyAddr is the bound proxy port (after Start).
func (s *Server) ProxyAddr() net.Addr { return s.proxyListener.Addr() }

// CacheAddr is the bound cache port (after Start).
func (s *Server) CacheAddr() net.Addr { return s.cacheListener.Addr() }

// AdminAddr is the bound admin API address (after Start).
func (s *Server) AdminAddr() net.Addr { return s.adminServer.Addr() }

// Wait serves until ctx ends (SIGTERM) or a port fails, then shuts down gracefully.
func (s *Server) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-s.serveErr:
		s.logger.Error("port failed", slog.String("error", serveErr.Error()))
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, s.Shutdown(shutdownCtx))
}

// Shutdown stops accepting, lets requests and tunnels in flight run until ctx ends, then
// closes them and the admin API. It is safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.ready.Store(false)
		s.logger.Info("rampart-gateway shutting down")
		var errs []error
		if err := s.proxy.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down proxy port: %w", err))
		}
		if err := s.cache.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down cache port: %w", err))
		}
		if s.adminServer != nil {
			if err := s.adminServer.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.current.Load().rules.Close()
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("rampart-gateway stopped")
	})
	return s.shutdownErr
}
