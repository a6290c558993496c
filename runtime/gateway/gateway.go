// Package gateway is the rampart-gateway runtime: the proxy port (runtime/gateway/proxy),
// an explicit forward proxy limited to allowed destinations, and the cache port
// (runtime/gateway/cacheport), which intercepts TLS and caches agent artifacts. The
// configuration comes from a JSON file (runtime/gateway/config) and is swapped atomically
// on reload (SIGHUP or POST /reload) without dropping connections; a bad file is refused and
// the running configuration keeps serving.
//
// Files: gateway.go loads, lifecycle.go binds and shuts down, reload.go swaps
// configurations, status.go and metrics.go feed the admin API, rlimit_unix.go checks the
// open-file limit.
package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/gateway/cacheport"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/proxy"
	"github.com/rampart-sec/rampart/runtime/gateway/stats"
	"github.com/rampart-sec/rampart/runtime/logging"
)

// Environment variables New reads when the matching option is empty.
const (
	EnvProxyURL    = "GATEWAY_PROXY_URL"    // upstream proxy URL, overrides upstream_proxy.url
	EnvAdminListen = "GATEWAY_ADMIN_LISTEN" // admin API address, overrides admin.listen
	EnvDataDir     = "GATEWAY_DATA_DIR"     // where the appliance CA is kept
)

// DefaultShutdownTimeout bounds a graceful shutdown when Options leave it zero.
const DefaultShutdownTimeout = 10 * time.Second

// Options configure a Server.
type Options struct {
	ConfigPath string // the JSON configuration file; required
	// AdminListen overrides admin.listen (GATEWAY_ADMIN_LISTEN).
	AdminListen string
	// UpstreamProxyURL overrides upstream_proxy.url (GATEWAY_PROXY_URL), keeping its bypass
	// list. It may carry credentials and is never logged.
	UpstreamProxyURL string
	// DataDir keeps state such as the generated CA (GATEWAY_DATA_DIR); default the
	// directory "gateway-data" next to the configuration file.
	DataDir string
	Logger  *slog.Logger
	// ProxyListener and CacheListener, when set, serve instead of binding listen.proxy
	// and listen.cache: tests hand in listeners on 127.0.0.1:0.
	ProxyListener   net.Listener
	CacheListener   net.Listener
	ShutdownTimeout time.Duration
}

// Server is one rampart-gateway process.
type Server struct {
	opts      Options
	logger    *slog.Logger
	startedAt time.Time
	stats     *stats.Stats

	current       atomic.Pointer[loadedConfig]
	startupConfig *config.Config // listeners are bound from it and never change
	reloadMu      sync.Mutex
	reloadsOK     atomic.Uint64
	reloadsFailed atomic.Uint64

	proxy         *proxy.Server
	cache         *cacheport.Server
	proxyListener net.Listener
	cacheListener net.Listener
	adminServer   *admin.Server
	ready         atomic.Bool
	serveErr      chan error
	shutdownOnce  sync.Once
	shutdownErr   error
}

// loadedConfig is one configuration made ready to serve.
type loadedConfig struct {
	cfg             *config.Config
	rules           *proxy.Rules
	sha256          string // of the file bytes
	generation      uint64
	loadedAt        time.Time
	restartRequired []string
}

// New loads and validates the configuration and prepares both ports. It binds nothing:
// call Start.
func New(opts Options) (*Server, error) {
	if opts.ConfigPath == "" {
		return nil, fmt.Errorf("no configuration file: pass -config PATH")
	}
	if opts.Logger == nil {
		opts.Logger = logging.New(os.Stderr, "gateway", slog.LevelInfo)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.AdminListen == "" {
		opts.AdminListen = os.Getenv(EnvAdminListen)
	}
	if opts.UpstreamProxyURL == "" {
		opts.UpstreamProxyURL = os.Getenv(EnvProxyURL)
	}
	if opts.DataDir == "" {
		opts.DataDir = os.Getenv(EnvDataDir)
	}
	if opts.DataDir == "" {
		opts.DataDir = filepath.Join(filepath.Dir(opts.ConfigPath), "gateway-data")
	}
	s := &Server{
		opts:      opts,
		logger:    opts.Logger,
		startedAt: time.Now().UTC(),
		stats:     stats.New(),
		serveErr:  make(chan error, 2),
	}
	lc, err := s.load()
	if err != nil {
		return nil, err
	}
	lc.generation = 1
	s.current.Store(lc)
	s.startupConfig = lc.cfg
	s.proxy = proxy.New(proxy.Options{Rules: s.rules, Stats: s.stats, Logger: s.logger})
	s.cache, err = cacheport.New(cacheport.Options{
		Config:        lc.cfg,
		Dial:          s.dialForCache,
		Check:         s.checkForCache,
		OnClient:      s.stats.Agents.Seen,
		Logger:        s.logger.With(slog.String("port", "cache")),
		DataDir:       opts.DataDir,
		TLSMinVersion: lc.cfg.TLSMinVersion,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CheckConfig validates a configuration file exactly as start-up would, binding nothing
// (rampart-gateway -check).
func CheckConfig(path string) error {
	s := &Server{opts: Options{ConfigPath: path, UpstreamProxyURL: os.Getenv(EnvProxyURL)}}
	_, err := s.load()
	return err
}

// load reads the configuration file once, so that what is parsed is exactly what is
// hashed for /status config_sha256, and builds its rules.
func (s *Server) load() (*loadedConfig, error) {
	path := s.opts.ConfigPath
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read gateway config: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("gateway config %s: %w", path, err)
	}
	if s.opts.UpstreamProxyURL != "" {
		if _, err := config.ParseProxyURL(s.opts.UpstreamProxyURL); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvProxyURL, err)
		}
		if cfg.UpstreamProxy == nil {
			cfg.UpstreamProxy = &config.UpstreamProxy{}
		}
		cfg.UpstreamProxy.URL = s.opts.UpstreamProxyURL
	}
	rules, err := proxy.NewRules(cfg)
	if err != nil {
		return nil, fmt.Errorf("gateway config %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return &loadedConfig{cfg: cfg, rules: rules, sha256: hex.EncodeToString(sum[:]), loadedAt: time.Now().UTC()}, nil
}

// rules are the proxy rules of the current configuration.
func (s *Server) rules() *proxy.Rules { return s.current.Load().rules }
