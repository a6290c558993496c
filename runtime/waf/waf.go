// Package waf is the rampart-waf runtime: a reverse proxy that routes each request to a
// site by its Host header, inspects it with the site's policy (block, detect or off) and
// forwards it to a member of the site's server pool. Configuration comes from a JSON file
// (runtime/waf/config) and is swapped atomically on reload, without dropping connections.
//
// The pieces: sites.go routes hosts to sites, handler.go serves a request, lifecycle.go
// binds and shuts down, reload.go swaps configurations, metrics.go and status.go feed the
// admin API. Inspection lives in runtime/waf/inspect, pools in runtime/waf/upstream.
package waf

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// Defaults for Options fields left zero.
const (
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultBodyLimit bounds the form body buffered for inspection. Larger form posts are
	// refused in block mode (fail closed) rather than forwarded half-inspected.
	DefaultBodyLimit = 128 << 10
)

// Options configure a Server.
type Options struct {
	ConfigPath string // the JSON configuration file; required
	// AdminListen overrides admin.listen from the file (WAF_ADMIN_LISTEN).
	AdminListen string
	Logger      *slog.Logger
	// HTTPListener, when set, serves traffic instead of binding listen.http: tests hand in
	// a listener on 127.0.0.1:0.
	HTTPListener    net.Listener
	ShutdownTimeout time.Duration
	BodyLimit       int
}

// Server is one rampart-waf process.
type Server struct {
	opts      Options
	logger    *slog.Logger
	startedAt time.Time
	transport *http.Transport
	metrics   *metrics
	ids       *requestIDs

	current       atomic.Pointer[loadedConfig]
	startupConfig *config.Config // listeners are bound from it and never change
	reloadMu      sync.Mutex     // one reload at a time

	ready        atomic.Bool
	httpServer   *http.Server
	httpListener net.Listener
	adminServer  *admin.Server
	serveErr     chan error
	shutdownOnce sync.Once
	shutdownErr  error
}

// New loads and validates the configuration file. It binds nothing: call Start.
func New(opts Options) (*Server, error) {
	if opts.ConfigPath == "" {
		return nil, fmt.Errorf("no configuration file: pass -config PATH")
	}
	if opts.Logger == nil {
		opts.Logger = logging.New(os.Stderr, "waf", slog.LevelInfo)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	s := &Server{
		opts:      opts,
		logger:    opts.Logger,
		startedAt: time.Now().UTC(),
		metrics:   newMetrics(),
		serveErr:  make(chan error, 1),
	}
	var err error
	if s.ids, err = newRequestIDs(); err != nil {
		return nil, err
	}
	s.transport = upstream.NewTransport()
	cfg, data, err := readConfig(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	lc, err := s.build(cfg, data, nil)
	if err != nil {
		return nil, err
	}
	lc.generation = 1
	s.current.Store(lc)
	s.startupConfig = cfg
	return s, nil
}

// CheckConfig validates a configuration file exactly as start-up would, without binding
// anything (rampart-waf -check).
func CheckConfig(path string) error {
	cfg, _, err := readConfig(path)
	if err != nil {
		return err
	}
	s := &Server{metrics: newMetrics(), transport: upstream.NewTransport(), logger: logging.Discard()}
	_, err = s.build(cfg, nil, nil)
	return err
}

// readConfig reads the file once so that what is parsed is exactly what is hashed for
// /status config_sha256.
func readConfig(path string) (*config.Config, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read waf config: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("waf config %s: %w", path, err)
	}
	if err := checkSupported(cfg); err != nil {
		return nil, nil, fmt.Errorf("waf config %s: %w", path, err)
	}
	return cfg, data, nil
}

// checkSupported rejects settings the contract allows but this build cannot honour, so
// that they fail loudly at start instead of silently serving something else.
func checkSupported(cfg *config.Config) error {
	if cfg.Listen.HTTPS != 0 {
		return fmt.Errorf("listen.https = %d needs TLS certificates, which this version of rampart-waf does not load yet; remove listen.https and serve plain HTTP on listen.http", cfg.Listen.HTTPS)
	}
	return nil
}
