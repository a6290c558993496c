package cacheport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/cache"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/mitm"
	"github.com/rampart-sec/rampart/runtime/gateway/patch"
	"github.com/rampart-sec/rampart/runtime/memtune"
)

// Client-facing limits of the cache port.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	handshakeTimeout  = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Server is the cache port.
type Server struct {
	opts   Options
	logger *slog.Logger
	tlsMin uint16

	minter   atomic.Pointer[mitm.Minter]
	settings atomic.Pointer[settings]
	store    *cache.Store
	patches  *patch.Store // nil when patch mode is off
	upstream *http.Transport

	outer   *http.Server    // the port itself: absolute-URI requests and CONNECT
	inner   *http.Server    // requests inside intercepted tunnels
	tunnels *tunnelListener // feeds intercepted connections to inner

	counters counters
	// background counts origin fetches that outlive the request that started them
	// (collapsed fills and patch downloads); Shutdown waits for them.
	background sync.WaitGroup
}

// New builds the cache port: loads or generates the CA, sizes the cache, opens the patch
// store. It does not listen; Serve does.
func New(opts Options) (*Server, error) {
	if opts.Config == nil {
		return nil, errors.New("cache port: no configuration")
	}
	cfg := *opts.Config
	config.ApplyCacheDefaults(&cfg)
	if errs := config.ValidateCacheSettings(&cfg); len(errs) > 0 {
		return nil, fmt.Errorf("cache port: %w", errors.Join(errs...))
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MemoryLimit <= 0 {
		opts.MemoryLimit = memtune.MemoryLimit()
	}
	if opts.TLSMinVersion == "" {
		opts.TLSMinVersion = cfg.TLSMinVersion
	}
	tlsMin, err := mitm.MinVersion(opts.TLSMinVersion)
	if err != nil {
		return nil, fmt.Errorf("cache port: %w", err)
	}
	authority, err := mitm.Load(cfg.CA, opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("cache port: %w", err)
	}
	st, err := buildSettings(&cfg)
	if err != nil {
		return nil, fmt.Errorf("cache port: %w", err)
	}
	upstream, err := newUpstreamTransport(opts.Dial, cfg.CA)
	if err != nil {
		return nil, fmt.Errorf("cache port: %w", err)
	}
	s := &Server{opts: opts, logger: opts.Logger, tlsMin: tlsMin, upstream: upstream, tunnels: newTunnelListener()}
	s.minter.Store(mitm.NewMinter(authority, cfg.CA.LeafCacheSize))
	s.settings.Store(st)
	s.store = cache.NewStore(cfg.Cache.CacheBytes(opts.MemoryLimit), cfg.Cache.MaxObjectBytes())
	if cfg.Patch != nil {
		if s.patches, err = patch.Open(cfg.Patch.Directory, cfg.Patch.SizeBytes()); err != nil {
			return nil, fmt.Errorf("cache port: %w", err)
		}
	}
	errorLog := slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)
	s.outer = &http.Server{
		Handler:           http.HandlerFunc(s.serveClient),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errorLog,
	}
	s.inner = &http.Server{
		Handler:           http.HandlerFunc(s.serveIntercepted),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errorLog,
		ConnContext:       tunnelContext,
	}
	s.logger.Info("cache port ready",
		slog.String("ca_mode", authority.Mode),
		slog.String("ca_subject", authority.Certificate.Subject.CommonName),
		slog.Int64("cache_bytes", cfg.Cache.CacheBytes(opts.MemoryLimit)),
		slog.Bool("patch_mode", s.patches != nil))
	return s, nil
}

// Serve accepts clients on ln until Shutdown; it returns http.ErrServerClosed then.
func (s *Server) Serve(ln net.Listener) error {
	go func() { _ = s.inner.Serve(s.tunnels) }()
	return s.outer.Serve(ln)
}

// Shutdown stops accepting, lets requests in flight finish until ctx ends, then closes.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.outer.Shutdown(ctx)
	err = errors.Join(err, s.inner.Shutdown(ctx))
	fetched := make(chan struct{})
	go func() { s.background.Wait(); close(fetched) }()
	select {
	case <-fetched:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("cache port: origin fetches still running: %w", ctx.Err()))
	}
	s.upstream.CloseIdleConnections()
	return err
}

// Reload applies a new configuration without dropping the cache: refresh rules, sizes,
// patch clients and patterns, and the CA (new tunnels get certificates of the new one).
// An invalid configuration changes nothing.
func (s *Server) Reload(newCfg *config.Config) error {
	cfg := *newCfg
	config.ApplyCacheDefaults(&cfg)
	if errs := config.ValidateCacheSettings(&cfg); len(errs) > 0 {
		return fmt.Errorf("cache port reload: %w", errors.Join(errs...))
	}
	st, err := buildSettings(&cfg)
	if err != nil {
		return fmt.Errorf("cache port reload: %w", err)
	}
	authority, err := mitm.Load(cfg.CA, s.opts.DataDir)
	if err != nil {
		return fmt.Errorf("cache port reload: %w", err)
	}
	if (cfg.Patch == nil) != (s.patches == nil) || (cfg.Patch != nil && cfg.Patch.Directory != s.opts.Config.Patch.Directory) {
		return errors.New("cache port reload: turning patch mode on or off or moving its directory needs a restart")
	}
	if !authority.Certificate.Equal(s.minter.Load().Authority().Certificate) {
		s.minter.Store(mitm.NewMinter(authority, cfg.CA.LeafCacheSize))
	}
	s.settings.Store(st)
	s.store.Resize(cfg.Cache.CacheBytes(s.opts.MemoryLimit), cfg.Cache.MaxObjectBytes())
	if s.patches != nil {
		s.patches.Resize(cfg.Patch.SizeBytes())
	}
	s.opts.Config = newCfg
	return nil
}

// CACertificatePEM is the certificate agents must trust for interception.
func (s *Server) CACertificatePEM() []byte {
	return s.minter.Load().Authority().CertificatePEM()
}
