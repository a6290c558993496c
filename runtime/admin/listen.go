package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// Listen binds the admin API address: "host:port" (meant for loopback) or "unix:/path".
// A stale unix socket left by a crashed process is removed; a socket another process still
// answers on, or a path that is not a socket, is an error rather than something to delete.
// The socket is made 0600 because whoever can reach it can reload the runtime.
func Listen(address string) (net.Listener, error) {
	path, isUnix := strings.CutPrefix(address, "unix:")
	if !isUnix {
		l, err := net.Listen("tcp", address)
		if err != nil {
			return nil, fmt.Errorf("admin API listen on %s: %w", address, DescribeListenError(err))
		}
		return l, nil
	}
	if path == "" {
		return nil, fmt.Errorf("admin API listen %q: give a socket path, e.g. unix:/run/rampart/admin.sock", address)
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin API listen on unix socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("admin API socket %s: restrict permissions: %w", path, err)
	}
	return l, nil
}

func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("admin API socket %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("admin API socket %s: the path exists and is not a socket; remove it or choose another path", path)
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("admin API socket %s is in use by another process; stop it or choose another path", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("admin API socket %s: remove stale socket: %w", path, err)
	}
	return nil
}

// DescribeListenError turns "address already in use" into an error that says what to do,
// keeping the original wrapped for errors.Is. Runtimes use it for their traffic listeners too.
func DescribeListenError(err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another process holds the port: stop it or configure another port)", err)
	}
	return err
}
