//go:build unix

package gateway

import (
	"log/slog"
	"syscall"
)

// ClientsPlanned is the number of concurrent clients the gateway is sized for.
const ClientsPlanned = 3000

// FilesNeeded is the open-file limit ClientsPlanned needs: a descriptor for each client
// and one for its destination, plus room for listeners, logs and the cache.
const FilesNeeded = 2*ClientsPlanned + 256

// RaiseOpenFileLimit raises the soft open-file limit to the hard limit, and warns with the
// figures when even that is below FilesNeeded: past the limit, new clients are refused.
func RaiseOpenFileLimit(logger *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		logger.Warn("cannot read the open-file limit", slog.String("error", err.Error()))
		return
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			lim = raised
		}
	}
	if lim.Cur < FilesNeeded {
		logger.Warn("the open-file limit is too low for the planned clients: raise it (ulimit -n, systemd LimitNOFILE=, docker --ulimit nofile=)",
			slog.Uint64("limit", lim.Cur),
			slog.Int("needed", FilesNeeded),
			slog.Int("clients_planned", ClientsPlanned),
			slog.Uint64("clients_possible", (lim.Cur-min(lim.Cur, 256))/2),
		)
		return
	}
	logger.Info("open-file limit", slog.Uint64("limit", lim.Cur))
}
