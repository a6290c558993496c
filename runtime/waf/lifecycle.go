package waf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/version"
)

// Start binds the traffic listener, then the admin API, and serves both in the background.
// /healthz turns 200 only once both are bound. A port in use is an error naming the port.
func (s *Server) Start() error {
	lc := s.current.Load()
	l := s.opts.HTTPListener
	if l == nil {
		address := net.JoinHostPort(lc.cfg.Listen.Address, strconv.Itoa(lc.cfg.Listen.HTTP))
		var err error
		if l, err = net.Listen("tcp", address); err != nil {
			return fmt.Errorf("listen.http: listen on %s: %w", address, admin.DescribeListenError(err))
		}
	}
	s.httpListener = l
	s.httpServer = &http.Server{
		Handler: s,
		// Slow clients may not hold connections open forever; bodies may stream for long.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          logging.StdLogger(s.logger),
	}
	go func() {
		if err := s.httpServer.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("serve %s: %w", l.Addr(), err)
		}
	}()

	adminAddress := s.opts.AdminListen
	if adminAddress == "" {
		adminAddress = lc.cfg.AdminListen()
	}
	adminServer, err := admin.Start(adminAddress, s, s.logger)
	if err != nil {
		s.httpServer.Close()
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
		slog.String("listen", "http://"+l.Addr().String()),
		slog.String("admin", adminServer.Addr().String()),
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Int("sites", len(lc.cfg.Sites)),
		slog.Int("pools", len(lc.cfg.Pools)),
	)
	return nil
}

// HTTPAddr is the bound traffic address (after Start).
func (s *Server) HTTPAddr() net.Addr { return s.httpListener.Addr() }

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
		if s.httpServer != nil {
			if err := s.httpServer.Shutdown(ctx); err != nil {
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
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("rampart-waf stopped")
	})
	return s.shutdownErr
}
