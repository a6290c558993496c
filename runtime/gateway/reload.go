package gateway

import (
	"log/slog"
	"slices"
)

// Reload re-reads the configuration file (SIGHUP or POST /reload). A file that fails to
// parse or validate is logged and refused: the running configuration stays. A valid one
// is swapped in atomically: connections in flight finish their current request (and
// tunnels keep running) with the old rules, the next request gets the new ones. Listen
// addresses change only with a restart; such a change is reported in /status
// restart_required.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.current.Load()
	lc, err := s.load()
	if err == nil {
		err = s.cache.Reload(lc.cfg)
	}
	if err != nil {
		s.reloadsFailed.Add(1)
		s.logger.Error("reload failed; the running configuration is kept",
			slog.String("config", s.opts.ConfigPath),
			slog.String("error", err.Error()),
		)
		return err
	}
	lc.generation = old.generation + 1
	lc.restartRequired = lc.cfg.RestartFields(s.startupConfig)
	if s.opts.AdminListen != "" { // the override, not the file, decides the admin address
		lc.restartRequired = slices.DeleteFunc(lc.restartRequired, func(f string) bool { return f == "admin.listen" })
	}
	s.current.Store(lc)
	old.rules.Close()
	s.reloadsOK.Add(1)
	s.logger.Info("configuration reloaded",
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", lc.sha256),
		slog.Uint64("config_generation", lc.generation),
	)
	if len(lc.restartRequired) > 0 {
		s.logger.Warn("restart required: these settings changed but apply only after a restart; the old values stay in effect",
			slog.Any("fields", lc.restartRequired))
	}
	return nil
}
