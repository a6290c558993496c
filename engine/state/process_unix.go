//go:build unix

package state

import (
	"errors"
	"syscall"
)

// processExists reports whether a process with pid exists. Signal 0 checks without
// sending anything; EPERM means it exists but belongs to someone else.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
