package runtimes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Binary is a runtime binary found on disk.
type Binary struct {
	Path   string // absolute
	SHA256 string // hex
}

// FindBinary looks for the runtime binary name in dirs, in order, then (when searchPath)
// in $PATH. It returns the absolute path, or the places it looked for an error message.
func FindBinary(name string, dirs []string, searchPath bool) (path string, looked []string) {
	for _, dir := range dirs {
		candidate := filepath.Join(dir, name)
		if IsExecutableFile(candidate) {
			return candidate, nil
		}
		looked = append(looked, candidate)
	}
	if searchPath {
		if p, err := exec.LookPath(name); err == nil {
			if abs, err := filepath.Abs(p); err == nil {
				return abs, nil
			}
		}
		looked = append(looked, "$PATH")
	}
	return "", looked
}

// ProviderDir is the directory of the running provider executable, where `make build`
// puts the runtimes too; "" when it cannot be told.
func ProviderDir() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	return filepath.Dir(self)
}

// IsExecutableFile reports whether path is a regular file with an execute bit.
func IsExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// BinaryHashes caches the SHA-256 of runtime binaries. Planning hundreds of instances
// would otherwise read the same multi-megabyte file hundreds of times; an entry is reused
// only while the file's size and modification time are unchanged, so a rebuild is still
// noticed. The zero value is ready to use.
type BinaryHashes struct {
	mu      sync.Mutex
	entries map[string]hashEntry
	hashing map[string]*sync.Mutex // per path: one hash at a time, the others wait for it
}

type hashEntry struct {
	size    int64
	modTime time.Time
	sum     string
}

// Sum returns the hex SHA-256 of the file at path.
func (h *BinaryHashes) Sum(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("hash runtime binary: %w", err)
	}
	if sum, ok := h.cached(path, info); ok {
		return sum, nil
	}
	// The parallel Plan calls of one command all need the same binary's hash at once:
	// one reads the file, the others wait for its result instead of each reading it.
	h.mu.Lock()
	if h.hashing == nil {
		h.hashing = map[string]*sync.Mutex{}
	}
	lock := h.hashing[path]
	if lock == nil {
		lock = &sync.Mutex{}
		h.hashing[path] = lock
	}
	h.mu.Unlock()
	lock.Lock()
	defer lock.Unlock()
	if sum, ok := h.cached(path, info); ok {
		return sum, nil
	}
	sum, err := FileSHA256(path)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	if h.entries == nil {
		h.entries = map[string]hashEntry{}
	}
	h.entries[path] = hashEntry{size: info.Size(), modTime: info.ModTime(), sum: sum}
	h.mu.Unlock()
	return sum, nil
}

// cached returns the hash recorded for path if the file still has the size and
// modification time it had then.
func (h *BinaryHashes) cached(path string, info os.FileInfo) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[path]
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.sum, true
	}
	return "", false
}

// FileSHA256 is the hex SHA-256 of a file's content.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
