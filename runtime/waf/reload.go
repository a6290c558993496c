package waf

import (
	"log/slog"
	"slices"

	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig"
)

// Reload re-reads the configuration file (SIGHUP or POST /reload). A file that fails to
// parse or validate is logged and rejected: the running configuration stays (fail safe).
// A valid one is swapped in atomically; requests in flight finish with the old one and no
// connection is dropped; new TLS handshakes get the new certificates (a key that does not
// decrypt fails the reload like any other error). Listen addresses cannot change without a
// restart: such a change is logged and reported in /status restart_required, and the old
// listeners keep serving.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.current.Load()

	cfg, data, err := readConfig(s.opts.ConfigPath)
	var certs *tlsconfig.Certificates
	if err == nil {
		certs, err = loadCertificates(s.opts.ConfigPath, cfg, s.opts.SSLPassphrase)
	}
	if err == nil {
		var lc *loadedConfig
		if lc, err = s.build(cfg, data, old); err == nil {
			lc.generation = old.generation + 1
			lc.restartRequired = s.restartFields(lc)
			if certs != nil { // none only when HTTPS is off (validation), which needs a restart
				s.certificates.Store(certs)
			}
			s.swap(old, lc)
			return nil
		}
	}
	s.metrics.reloadsFailed.Add(1)
	s.logger.Error("reload failed; the running configuration is kept",
		slog.String("config", s.opts.ConfigPath),
		slog.String("error", err.Error()),
	)
	return err
}

func (s *Server) swap(old, lc *loadedConfig) {
	s.current.Store(lc)
	if s.Ready() {
		lc.startHealthChecks(s)
		old.stopHealthChecks()
	}
	s.metrics.reloadsOK.Add(1)
	s.logger.Info("configuration reloaded",
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Uint64("config_generation", lc.generation),
	)
	if len(lc.restartRequired) > 0 {
		s.logger.Warn("restart required: these settings changed but apply only after a restart; the old values stay in effect",
			slog.Any("fields", lc.restartRequired))
	}
}

// restartFields are the settings of lc that differ from those the process started with.
// Compared with the start-up configuration, not the previous reload, because listeners
// never change while the process lives.
func (s *Server) restartFields(lc *loadedConfig) []string {
	fields := lc.cfg.RestartFields(s.startupConfig)
	if s.opts.AdminListen != "" { // the override, not the file, decides the admin address
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == "admin.listen" })
	}
	return fields
}
