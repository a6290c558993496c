// Package logging builds the structured JSON logger every rampart runtime writes to stderr.
// One shape for all runtimes lets operators ship their logs with one parser.
package logging

import (
	"io"
	"log"
	"log/slog"
)

// New returns a JSON logger writing to w, tagged with the runtime kind (waf, gateway, ...)
// so that logs of several appliances can be mixed in one stream.
func New(w io.Writer, kind string, level slog.Level) *slog.Logger {
	handler := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(handler).With(slog.String("runtime", kind))
}

// Discard is a logger that drops everything, for tests and benchmarks.
func Discard() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// StdLogger adapts logger for net/http's ErrorLog, which still takes a *log.Logger; its
// messages (TLS handshake errors, bad requests) become warnings in the JSON stream.
func StdLogger(logger *slog.Logger) *log.Logger {
	return slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
}
