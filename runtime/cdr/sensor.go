// Package cdr is the rampart-cdr runtime: a network detection sensor. Mirrored traffic
// arrives as VXLAN datagrams (AWS Traffic Mirroring, UDP 4789) or from a live interface;
// each source has its own pipeline (pipeline.go) of decoder (runtime/cdr/decode), flow
// table (runtime/cdr/flow) and detection engine (runtime/cdr/detect), owned by one
// goroutine so that the per-packet path takes no lock. Findings go to the publisher
// (runtime/cdr/findings). Capture files take the same pipeline through Replay.
//
// Like every runtime: configuration from a JSON file (runtime/cdr/config), reload on
// SIGHUP or POST /reload (a bad file keeps the running configuration), the admin API
// (status.go, metrics.go), graceful shutdown (lifecycle.go).
package cdr

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/ingest"
	"github.com/rampart-sec/rampart/runtime/logging"
)

// DefaultShutdownTimeout bounds a graceful shutdown.
const DefaultShutdownTimeout = 10 * time.Second

// Options configure a Sensor.
type Options struct {
	ConfigPath string // the JSON configuration file; required
	// AdminListen overrides admin.listen from the file (CDR_ADMIN_LISTEN).
	AdminListen     string
	Logger          *slog.Logger
	ShutdownTimeout time.Duration
}

// loadedConfig is one successfully loaded configuration file.
type loadedConfig struct {
	cfg             *config.Config
	sha256          string
	generation      uint64
	loadedAt        time.Time
	restartRequired []string
}

// Sensor is one rampart-cdr process.
type Sensor struct {
	opts      Options
	logger    *slog.Logger
	startedAt time.Time

	current       atomic.Pointer[loadedConfig]
	startupConfig *config.Config // listeners are bound from it and never change
	reloadMu      sync.Mutex
	publisher     atomic.Pointer[findings.Publisher]
	findings      findingCounts

	sources     []*source
	health      net.Listener
	adminServer *admin.Server
	ready       atomic.Bool
	stop        chan struct{}
	running     sync.WaitGroup
	serveErr    chan error

	shutdownOnce sync.Once
	shutdownErr  error
}

// New loads and validates the configuration file and builds the findings publisher. It
// binds nothing: call Start.
func New(opts Options) (*Sensor, error) {
	if opts.ConfigPath == "" {
		return nil, fmt.Errorf("no configuration file: pass -config PATH")
	}
	if opts.Logger == nil {
		opts.Logger = logging.New(os.Stderr, "cdr", slog.LevelInfo)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	lc, err := loadConfig(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	publisher, err := findings.NewPublisher(lc.cfg.Findings, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("cdr config %s: %w", opts.ConfigPath, err)
	}
	s := &Sensor{
		opts:          opts,
		logger:        opts.Logger,
		startedAt:     time.Now().UTC(),
		startupConfig: lc.cfg,
		stop:          make(chan struct{}),
		serveErr:      make(chan error, 4),
	}
	s.publisher.Store(publisher)
	lc.generation = 1
	s.current.Store(lc)
	return s, nil
}

// CheckConfig validates a configuration file exactly as start-up would (rampart-cdr
// -check): indicator and signature files are read too. Nothing is bound or sent.
func CheckConfig(path string) error {
	lc, err := loadConfig(path)
	if err != nil {
		return err
	}
	if _, err := detect.New(lc.cfg.Detections, func(findings.Finding) {}); err != nil {
		return fmt.Errorf("cdr config %s: %w", path, err)
	}
	return nil
}

// loadConfig reads the file once so that what is parsed is exactly what is hashed for
// /status config_sha256.
func loadConfig(path string) (*loadedConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cdr config: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("cdr config %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return &loadedConfig{cfg: cfg, sha256: hex.EncodeToString(sum[:]), loadedAt: time.Now().UTC()}, nil
}

// publish is what every pipeline's engine calls with a finding: count it, queue it.
func (s *Sensor) publish(f findings.Finding) {
	s.findings.add(f.Type)
	s.publisher.Load().Publish(f)
}

// findingCounts counts findings by type; findings are rare, a mutex is cheap enough.
type findingCounts struct {
	mu     sync.Mutex
	byType map[string]uint64
}

func (c *findingCounts) add(typ string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byType == nil {
		c.byType = map[string]uint64{}
	}
	c.byType[typ]++
}

func (c *findingCounts) snapshot() (map[string]uint64, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.byType))
	var total uint64
	for k, v := range c.byType {
		out[k] = v
		total += v
	}
	return out, total
}

// source is one traffic input and the pipeline its goroutine owns.
type source struct {
	name     string // "vxlan udp://127.0.0.1:4789" or "interface eth1"
	reader   reader
	vxlan    bool // frames are VXLAN payloads (else Ethernet frames)
	pipeline *Pipeline
	reloads  chan reloadRequest
	drops    atomic.Uint64 // kernel drops
}

// reader is ingest.UDPListener or ingest.Interface.
type reader interface {
	Read() (*ingest.Batch, error)
	KernelDrops() uint64
	Close() error
}

type reloadRequest struct {
	cfg  *config.Config
	done chan error
}
