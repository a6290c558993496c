package cdr

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// Reload re-reads the configuration file (SIGHUP or POST /reload). A file that fails to
// parse or validate, or whose indicator or signature files cannot be read, is logged and
// rejected: the running configuration stays (fail safe). A valid one reaches every source's
// pipeline between two batches (detections, VNI filter) and replaces the findings
// publisher; listen settings need a restart, which /status restart_required reports.
func (s *Sensor) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.current.Load()
	err := s.reload(old)
	if err != nil {
		s.logger.Error("reload failed; the running configuration is kept",
			slog.String("config", s.opts.ConfigPath), slog.String("error", err.Error()))
	}
	return err
}

func (s *Sensor) reload(old *loadedConfig) error {
	lc, err := loadConfig(s.opts.ConfigPath)
	if err != nil {
		return err
	}
	// Build the engine once here so that a bad indicator file fails before any pipeline
	// changed; the pipelines then cannot fail on the same files.
	if _, err := detect.New(lc.cfg.Detections, func(findings.Finding) {}); err != nil {
		return fmt.Errorf("cdr config %s: %w", s.opts.ConfigPath, err)
	}
	publisher, err := findings.NewPublisher(lc.cfg.Findings, s.logger)
	if err != nil {
		return fmt.Errorf("cdr config %s: %w", s.opts.ConfigPath, err)
	}
	for _, src := range s.sources {
		if err := s.reloadSource(src, lc); err != nil {
			publisher.Close()
			return err
		}
	}
	previous := s.publisher.Swap(publisher)
	go previous.Close() // delivers what it queued, without holding up the reload

	lc.generation = old.generation + 1
	lc.restartRequired = lc.cfg.RestartFields(s.startupConfig)
	if s.opts.AdminListen != "" { // the override, not the file, decides the admin address
		lc.restartRequired = slices.DeleteFunc(lc.restartRequired, func(f string) bool { return f == "admin.listen" })
	}
	s.current.Store(lc)
	s.logger.Info("configuration reloaded",
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Uint64("config_generation", lc.generation))
	if len(lc.restartRequired) > 0 {
		s.logger.Warn("restart required: these settings changed but apply only after a restart; the old values stay in effect",
			slog.Any("fields", lc.restartRequired))
	}
	return nil
}

// reloadSource hands the configuration to the source's goroutine, which applies it between
// two batches.
func (s *Sensor) reloadSource(src *source, lc *loadedConfig) error {
	req := reloadRequest{cfg: lc.cfg, done: make(chan error, 1)}
	select {
	case src.reloads <- req:
	case <-s.stop:
		return fmt.Errorf("reload: the sensor is shutting down")
	case <-time.After(5 * time.Second):
		return fmt.Errorf("reload: source %s did not take the configuration within 5s", src.name)
	}
	if err := <-req.done; err != nil {
		return fmt.Errorf("reload %s: %w", src.name, err)
	}
	return nil
}
