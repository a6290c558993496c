package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
	"github.com/rampart-sec/rampart/version"
)

// Options configure a Server.
type Options struct {
	ConfigPath string
	// AdminListen overrides admin.listen (SCANNER_ADMIN_LISTEN).
	AdminListen string
	Logger      *slog.Logger
	// Limits are this process's resources; zero means read them (capacity.ReadLimits).
	Limits *capacity.Limits
	// ShutdownTimeout bounds the wait for running scans at shutdown (default 10s).
	ShutdownTimeout time.Duration
}

// loadedConfig is one successfully loaded configuration file.
type loadedConfig struct {
	cfg             *config.Config
	sha256          string
	generation      uint64
	loadedAt        time.Time
	restartRequired []string
	userProbes      *fingerprint.ProbesFile
}

// Server is the long-running scanner appliance.
type Server struct {
	opts      Options
	logger    *slog.Logger
	startedAt time.Time
	engine    *Engine

	current       atomic.Pointer[loadedConfig]
	startupConfig *config.Config
	reloadMu      sync.Mutex
	ready         atomic.Bool
	adminServer   *admin.Server

	jobs      *jobBoard
	lifetime  context.Context // cancelled at shutdown: stops running scans
	stopScans context.CancelFunc

	shutdownOnce sync.Once
	shutdownErr  error
	reloadsOK    atomic.Uint64
	reloadsFail  atomic.Uint64
}

// New loads the configuration, derives the capacity and opens the probing sockets.
func New(opts Options) (*Server, error) {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	cfg, data, err := readConfig(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	lc, err := buildLoaded(cfg, data)
	if err != nil {
		return nil, err
	}
	lc.generation = 1
	limits := capacity.ReadLimits()
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	capa := capacity.Derive(limits)
	if cfg.Limits != nil {
		capa = capa.Override(cfg.Limits.InFlight, cfg.Limits.ParallelHosts)
	}
	engine, err := NewEngine(EngineOptions{Mode: cfg.Mode, RateLimit: cfg.RateLimit, Capacity: capa, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, logger: opts.Logger, startedAt: time.Now(), engine: engine, startupConfig: cfg}
	s.current.Store(lc)
	s.lifetime, s.stopScans = context.WithCancel(context.Background())
	s.jobs = newJobBoard(s)
	return s, nil
}

// CheckConfig validates a configuration file without starting anything (-check).
func CheckConfig(path string) error {
	cfg, data, err := readConfig(path)
	if err != nil {
		return err
	}
	_, err = buildLoaded(cfg, data)
	return err
}

func readConfig(path string) (*config.Config, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read scanner config: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("scanner config %s: %w", path, err)
	}
	return cfg, data, nil
}

// buildLoaded prepares what a configuration needs beyond validation: the user's probe file.
func buildLoaded(cfg *config.Config, data []byte) (*loadedConfig, error) {
	sum := sha256.Sum256(data)
	lc := &loadedConfig{cfg: cfg, sha256: hex.EncodeToString(sum[:]), loadedAt: time.Now()}
	if cfg.ServiceProbesFile != "" {
		probes, err := fingerprint.LoadProbesFile(cfg.ServiceProbesFile)
		if err != nil {
			return nil, fmt.Errorf("service_probes_file: %w", err)
		}
		lc.userProbes = probes
	}
	return lc, nil
}

// Start opens the data directory, binds the admin API and starts the job schedules.
func (s *Server) Start() error {
	lc := s.current.Load()
	if _, err := results.Open(lc.cfg.DataDir); err != nil {
		return err
	}
	address := s.opts.AdminListen
	if address == "" {
		address = lc.cfg.AdminListen()
	}
	adminServer, err := admin.Start(address, s, s.logger)
	if err != nil {
		return err
	}
	s.adminServer = adminServer
	if s.engine.ModeNotice != "" {
		s.logger.Warn(s.engine.ModeNotice)
	}
	s.logger.Info("rampart-scanner started",
		slog.String("version", version.Version),
		slog.String("admin", adminServer.Addr().String()),
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.String("mode", s.engine.Mode),
		slog.Int("in_flight", s.engine.Capacity.InFlight),
		slog.Int("parallel_hosts", s.engine.Capacity.ParallelHosts),
		slog.String("capacity", s.engine.Capacity.Reason),
		slog.Int("jobs", len(lc.cfg.AllJobs())),
	)
	s.reloadMu.Lock()
	s.jobs.schedule(lc)
	s.ready.Store(true)
	s.reloadMu.Unlock()
	return nil
}

// Reload re-reads the configuration file (SIGHUP or POST /reload). A bad file is logged and
// rejected and the running configuration stays; a good one replaces the job schedules (a scan
// in progress finishes first).
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.current.Load()
	cfg, data, err := readConfig(s.opts.ConfigPath)
	var lc *loadedConfig
	if err == nil {
		lc, err = buildLoaded(cfg, data)
	}
	if err == nil {
		_, err = results.Open(cfg.DataDir)
	}
	if err != nil {
		s.reloadsFail.Add(1)
		s.logger.Error("reload failed; the running configuration is kept",
			slog.String("config", s.opts.ConfigPath), slog.String("error", err.Error()))
		return err
	}
	lc.generation = old.generation + 1
	lc.restartRequired = cfg.RestartFields(s.startupConfig)
	s.current.Store(lc)
	if s.ready.Load() {
		s.jobs.schedule(lc)
	}
	s.reloadsOK.Add(1)
	s.logger.Info("configuration reloaded", slog.String("config_sha256", lc.sha256), slog.Uint64("config_generation", lc.generation))
	if len(lc.restartRequired) > 0 {
		s.logger.Warn("restart required: these settings changed but apply only after a restart; the old values stay in effect",
			slog.Any("fields", lc.restartRequired))
	}
	return nil
}

// AdminAddr is the bound admin API address (after Start).
func (s *Server) AdminAddr() net.Addr { return s.adminServer.Addr() }

// Wait serves until ctx ends (SIGTERM), then shuts down.
func (s *Server) Wait(ctx context.Context) error {
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	return s.Shutdown(shutdownCtx)
}

// Shutdown stops the schedules, interrupts running scans (their partial results are saved,
// marked interrupted), stops the admin API and closes the sockets.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.ready.Store(false)
		s.logger.Info("rampart-scanner shutting down")
		s.reloadMu.Lock()
		s.jobs.stop()
		s.reloadMu.Unlock()
		s.stopScans()
		var errs []error
		if err := s.jobs.wait(ctx); err != nil {
			errs = append(errs, err)
		}
		if s.adminServer != nil {
			if err := s.adminServer.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.engine.Close()
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("rampart-scanner stopped")
	})
	return s.shutdownErr
}
