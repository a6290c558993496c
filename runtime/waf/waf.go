// Package waf is the rampart-waf runtime: a reverse proxy that routes each request to a
// site by its Host header, inspects it with the site's policy (block, detect or off) and
// forwards it to a member of the site's server pool. Configuration comes from a JSON file
// (runtime/waf/config) and is swapped atomically on reload, without dropping connections.
//
// The pieces: sites.go routes hosts to sites, handler.go serves a request, lifecycle.go
// binds and shuts down, reload.go swaps configurations, metrics.go and status.go feed the
// admin API. In front of the handler, headguard.go and hardening.go refuse ambiguous
// requests (smuggling), tlslistener.go terminates TLS with the certificates of
// runtime/waf/tlsconfig, redirect.go sends plain HTTP to HTTPS when asked. Inspection
// lives in runtime/waf/inspect, pools in runtime/waf/upstream.
package waf

import (
	"fmt"
	"io"
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
	"github.com/rampart-sec/rampart/runtime/waf/events"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// Defaults for Options fields left zero.
const (
	DefaultShutdownTimeout = 10 * time.Second
)

// Options configure a Server.
type Options struct {
	ConfigPath string // the JSON configuration file; required
	// AdminListen overrides admin.listen from the file (WAF_ADMIN_LISTEN).
	AdminListen string
	Logger      *slog.Logger
	// LogWriter is where Logger writes; security events and access records are written
	// there as JSON lines too (runtime/waf/events). Default os.Stderr.
	LogWriter io.Writer
	// HTTPListener and HTTPSListener, when set, serve traffic instead of binding
	// listen.http and listen.https: tests hand in listeners on 127.0.0.1:0.
	HTTPListener  net.Listener
	HTTPSListener net.Listener
	// SSLPassphrase decrypts private keys whose tls block sets no passphrase; New takes
	// it from WAF_SSL_PASSPHRASE when empty.
	SSLPassphrase   string
	ShutdownTimeout time.Duration
}

// Server is one rampart-waf process.
type Server struct {
	opts      Options
	logger    *slog.Logger
	startedAt time.Time
	transport *http.Transport
	metrics   *metrics
	ids       *requestIDs
	events    *events.Emitter // security events and access log, from the start-up configuration

	current       atomic.Pointer[loadedConfig]
	certificates  atomic.Pointer[tlsconfig.Certificates] // of the current configuration
	startupConfig *config.Config                         // listeners are bound from it and never change
	reloadMu      sync.Mutex                             // one reload at a time

	ready         atomic.Bool
	httpServer    *http.Server // plain HTTP: the WAF, or the redirect to HTTPS
	httpListener  net.Listener
	httpsServer   *http.Server
	httpsListener net.Listener
	adminServer   *admin.Server
	serveErr      chan error
	shutdownOnce  sync.Once
	shutdownErr   error
}

// New loads and validates the configuration file. It binds nothing: call Start.
func New(opts Options) (*Server, error) {
	if opts.ConfigPath == "" {
		return nil, fmt.Errorf("no configuration file: pass -config PATH")
	}
	if opts.Logger == nil {
		opts.Logger = logging.New(os.Stderr, "waf", slog.LevelInfo)
	}
	if opts.LogWriter == nil {
		opts.LogWriter = os.Stderr
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.SSLPassphrase == "" {
		opts.SSLPassphrase = os.Getenv(tlsconfig.PassphraseEnv)
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
	certs, err := loadCertificates(opts.ConfigPath, cfg, opts.SSLPassphrase)
	if err != nil {
		return nil, err
	}
	lc, err := s.build(cfg, data, nil)
	if err != nil {
		return nil, err
	}
	if s.events, err = events.New(cfg.Events, opts.LogWriter, s.logger); err != nil {
		return nil, err
	}
	lc.generation = 1
	s.current.Store(lc)
	s.certificates.Store(certs)
	s.startupConfig = cfg
	return s, nil
}

// CheckConfig validates a configuration file exactly as start-up would, without binding
// anything (rampart-waf -check): certificates and private keys are decrypted and checked
// too, with WAF_SSL_PASSPHRASE for keys whose tls block has no passphrase.
func CheckConfig(path string) error {
	cfg, _, err := readConfig(path)
	if err != nil {
		return err
	}
	if _, err := loadCertificates(path, cfg, os.Getenv(tlsconfig.PassphraseEnv)); err != nil {
		return err
	}
	s := &Server{metrics: newMetrics(), transport: upstream.NewTransport(), logger: logging.Discard()}
	_, err = s.build(cfg, nil, nil)
	return err
}

// loadCertificates decrypts and checks the configuration's certificates; nil when it has
// none.
func loadCertificates(path string, cfg *config.Config, sslPassphrase string) (*tlsconfig.Certificates, error) {
	certs, err := tlsconfig.Load(cfg, sslPassphrase)
	if err != nil {
		return nil, fmt.Errorf("waf config %s: %w", path, err)
	}
	return certs, nil
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
	return cfg, data, nil
}
