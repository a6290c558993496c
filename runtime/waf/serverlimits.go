package waf

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// serverLimits are the client-facing timeouts and sizes of the traffic listeners, from
// the limits block with its defaults. They belong to the listening http.Server, so they
// change only with a restart (config.RestartFields says so on reload).
type serverLimits struct {
	readHeaderTimeout time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
	maxBodyBytes      int64
}

func limitsOf(l *config.Limits) serverLimits {
	if l == nil {
		l = &config.Limits{}
	}
	return serverLimits{
		readHeaderTimeout: durationOr(l.ReadHeaderTimeout, config.DefaultReadHeaderTimeout),
		idleTimeout:       durationOr(l.IdleTimeout, config.DefaultIdleTimeout),
		maxHeaderBytes:    intOr(l.MaxHeaderBytes, config.DefaultMaxHeaderBytes),
		maxBodyBytes:      int64(l.MaxBodyBytes),
	}
}

// maxHead is the longest request head the guard lets through: what net/http accepts,
// which is MaxHeaderBytes plus its 4096 bytes of slack.
func (l serverLimits) maxHead() int { return l.maxHeaderBytes + 4096 }

// newHTTPServer is a traffic server with these limits. There is no ReadTimeout or
// WriteTimeout: bodies may legitimately stream for long (uploads, downloads); the header
// timeout stops slowloris, the idle timeout reclaims idle keep-alive connections.
func (l serverLimits) newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeaderTimeout,
		IdleTimeout:       l.idleTimeout,
		MaxHeaderBytes:    l.maxHeaderBytes,
		ConnContext:       connContext,
		ErrorLog:          logging.StdLogger(logger),
	}
}

// durationOr parses a validated duration, or the default when it is empty.
func durationOr(value, fallback string) time.Duration {
	if value == "" {
		value = fallback
	}
	d, err := time.ParseDuration(value)
	if err != nil { // config.Validate has refused it already; keep the default
		d, _ = time.ParseDuration(fallback)
	}
	return d
}

func intOr(value, fallback int) int {
	if value <= 0 {
		return fallback
	}
	return value
}
