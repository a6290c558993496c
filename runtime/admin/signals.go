package admin

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// ReloadOnSIGHUP calls reload for every SIGHUP until ctx ends. Reloads run one at a time, in
// this goroutine, so a burst of signals cannot run overlapping reloads.
func ReloadOnSIGHUP(ctx context.Context, reload func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reload()
			}
		}
	}()
}

// ShutdownContext returns a context cancelled by SIGTERM or SIGINT: the signals that ask a
// runtime to stop gracefully.
func ShutdownContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGTERM, syscall.SIGINT)
}
