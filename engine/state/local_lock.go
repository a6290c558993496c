package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

const (
	// lockRetryInterval is how often a waiting Lock looks at the lock file again.
	lockRetryInterval = 250 * time.Millisecond
	// takeoverGuardMaxAge is when a takeover guard left by a crashed process is ignored.
	takeoverGuardMaxAge = 10 * time.Second
)

// Lock creates <path>.lock exclusively, with info as JSON in it. While another process
// holds the lock, Lock retries every 250ms until ctx is done and then returns a
// *LockedError. A lock left by a process of this host that no longer exists is stale: Lock
// removes it and takes the lock; TakenOverStaleLock then names the dead holder.
func (l *Local) Lock(ctx context.Context, info *LockInfo) (Unlocker, error) {
	lockPath := l.path + ".lock"
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("lock state %s: %w", l.path, err)
	}
	l.setStaleTaken(nil)
	ticker := time.NewTicker(lockRetryInterval)
	defer ticker.Stop()
	for {
		err := createLockFile(lockPath, data)
		if err == nil {
			return l.unlocker(lockPath, info.ID), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock state %s: %w", l.path, err)
		}
		holder, err := readLockFile(lockPath)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released between our attempt and our look: try again at once
		}
		if err != nil {
			holder = &LockInfo{} // being written, or damaged: someone holds it
		}
		if isStale(holder) {
			taken, err := takeOverStale(lockPath, holder, data)
			if err != nil {
				return nil, fmt.Errorf("lock state %s: take over stale lock: %w", l.path, err)
			}
			if taken {
				l.setStaleTaken(holder)
				return l.unlocker(lockPath, info.ID), nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, &LockedError{Holder: holder, Path: lockPath, State: l.path}
		case <-ticker.C:
		}
	}
}

// TakenOverStaleLock returns the holder of the stale lock the last Lock removed, or nil
// when it found none, so the CLI can say that it happened.
func (l *Local) TakenOverStaleLock() *LockInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.staleTaken
}

func (l *Local) setStaleTaken(holder *LockInfo) {
	l.mu.Lock()
	l.staleTaken = holder
	l.mu.Unlock()
}

// unlocker removes the lock file, but only while it is still ours.
func (l *Local) unlocker(lockPath, id string) Unlocker {
	return func() error {
		holder, err := readLockFile(lockPath)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unlock state %s: %w", l.path, err)
		}
		if holder.ID != id {
			return fmt.Errorf("unlock state %s: the lock is no longer ours (now held by %s, lock id %s); leaving it", l.path, holder.Who, holder.ID)
		}
		if err := os.Remove(lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("unlock state %s: %w", l.path, err)
		}
		return nil
	}
}

// createLockFile creates lockPath with data, failing with fs.ErrExist when it exists.
// The content is written to a temporary file first and hard-linked into place, so the
// lock file never exists without its content and a rival always learns who holds it.
// Where the file system has no hard links, an O_EXCL create does the same job with a
// short window in which the file is still empty.
func createLockFile(lockPath string, data []byte) error {
	tmp := lockPath + ".tmp-" + randomHex(8)
	if err := writeNewFile(tmp, data); err != nil {
		return err
	}
	defer os.Remove(tmp)
	err := os.Link(tmp, lockPath)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	return writeNewFile(lockPath, data)
}

// writeNewFile creates path exclusively (mode 0600) with data, synced.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func readLockFile(lockPath string) (*LockInfo, error) {
	data, err := os.ReadFile(lockPath)
	if err != nil {
		return nil, err
	}
	var info LockInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("lock file %s: %w", lockPath, err)
	}
	return &info, nil
}

// isStale reports whether holder is a process of this host that no longer exists. A lock
// from another host is never stale: rampart cannot know whether that process runs.
func isStale(holder *LockInfo) bool {
	if holder.PID <= 0 || holder.Host == "" {
		return false
	}
	host, err := os.Hostname()
	if err != nil || host != holder.Host {
		return false
	}
	return !processExists(holder.PID)
}

// takeOverStale replaces the stale lock of holder with ours. Two processes may find the
// same stale lock; the takeover guard file makes sure only one removes it, and only while
// it is still that stale lock (not a fresh one somebody took in between).
func takeOverStale(lockPath string, holder *LockInfo, data []byte) (bool, error) {
	guard := lockPath + ".takeover"
	if err := writeNewFile(guard, nil); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return false, err
		}
		// A crashed takeover leaves its guard behind; after a while it no longer counts.
		if st, serr := os.Stat(guard); serr == nil && time.Since(st.ModTime()) > takeoverGuardMaxAge {
			os.Remove(guard)
		}
		return false, nil
	}
	defer os.Remove(guard)
	current, err := readLockFile(lockPath)
	if err != nil || current.ID != holder.ID {
		return false, nil // gone or replaced meanwhile: the normal path will see
	}
	if err := os.Remove(lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := createLockFile(lockPath, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil // somebody else was faster after the removal
		}
		return false, err
	}
	return true, nil
}
