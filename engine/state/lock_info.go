package state

import (
	"os"
	"os/user"
	"time"

	"github.com/rampart-sec/rampart/version"
)

// NewLockInfo describes a lock this process is about to take for operation.
func NewLockInfo(operation string) *LockInfo {
	host, _ := os.Hostname()
	return &LockInfo{
		ID:        randomHex(16),
		Operation: operation,
		Who:       currentUser() + "@" + host,
		PID:       os.Getpid(),
		Host:      host,
		Created:   time.Now().UTC(),
		Version:   version.Version,
	}
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "unknown"
}
