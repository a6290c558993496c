package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
)

// Server is a running admin API.
type Server struct {
	listener net.Listener
	http     *http.Server
	done     chan error
}

// Start binds address (see Listen) and serves the admin API for rt in the background.
func Start(address string, rt Runtime, logger *slog.Logger) (*Server, error) {
	l, err := Listen(address)
	if err != nil {
		return nil, err
	}
	s := &Server{
		listener: l,
		http: &http.Server{
			Handler:           Handler(rt, logger),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			ErrorLog:          logging.StdLogger(logger),
		},
		done: make(chan error, 1),
	}
	go func() {
		err := s.http.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Shutdown stops the admin API, waiting for in-flight calls until ctx ends. A unix socket
// file is removed by closing its listener.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down admin API: %w", err)
	}
	return <-s.done
}

// Handler is the admin API for rt, without a listener.
func Handler(rt Runtime, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !rt.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready")
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	mux.HandleFunc("/status", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, rt.Status())
	}))
	mux.HandleFunc("/metrics", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m := NewMetricsWriter(w)
		writeCommonMetrics(m, rt.Status())
		rt.WriteMetrics(m)
		if err := m.Flush(); err != nil {
			logger.Warn("write metrics", slog.String("error", err.Error()))
		}
	}))
	mux.HandleFunc("/reload", only(http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
		logger.Info("reload requested", slog.String("via", "admin API"))
		if err := rt.Reload(); err != nil {
			// The admin API is local and the error is about the operator's own config file.
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"reloaded": false, "error": err.Error()})
			return
		}
		st := rt.Status()
		writeJSON(w, http.StatusOK, map[string]any{
			"reloaded":          true,
			"config_sha256":     st.ConfigSHA256,
			"config_generation": st.ConfigGeneration,
			"restart_required":  st.RestartRequired,
		})
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found: try /healthz, /status, /metrics or POST /reload", http.StatusNotFound)
	})
	return mux
}

// only restricts a handler to one method; others get 405.
func only(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing useful to do
}

// writeCommonMetrics writes the metrics every runtime has, from its status.
func writeCommonMetrics(m *MetricsWriter, st Status) {
	m.Family("rampart_build_info", "gauge", "Build of the running runtime; always 1.")
	m.Sample("rampart_build_info", 1, "kind", st.Kind, "version", st.Version)
	m.Family("rampart_config_generation", "gauge", "Number of successful configuration loads since start.")
	m.Sample("rampart_config_generation", float64(st.ConfigGeneration), "kind", st.Kind)
	m.Family("rampart_config_loaded_timestamp_seconds", "gauge", "Unix time of the last successful configuration load.")
	m.Sample("rampart_config_loaded_timestamp_seconds", float64(st.ConfigLoadedAt.Unix()), "kind", st.Kind)
	m.Family("rampart_start_timestamp_seconds", "gauge", "Unix time the process started.")
	m.Sample("rampart_start_timestamp_seconds", float64(st.StartedAt.Unix()), "kind", st.Kind)
	ready := 0.0
	if st.Ready {
		ready = 1
	}
	m.Family("rampart_ready", "gauge", "1 when the runtime serves traffic.")
	m.Sample("rampart_ready", ready, "kind", st.Kind)
}
