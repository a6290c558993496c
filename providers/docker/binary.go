package docker

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

	"github.com/rampart-sec/rampart/providers/protocol"
)

// runtimeBinary is a runtime binary found on disk.
type runtimeBinary struct {
	Path   string // absolute
	SHA256 string // hex
}

// findBinary locates the runtime binary name: in dir when set, otherwise next to the
// provider's own executable, then in $PATH (as the local provider does).
func findBinary(name, dir string) (string, protocol.Diagnostics) {
	var looked string
	candidates := []string{}
	if dir != "" {
		candidates = append(candidates, filepath.Join(dir, name))
	} else if self, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(self), name))
	}
	for _, c := range candidates {
		if isExecutableFile(c) {
			return c, nil
		}
		looked += c + " and "
	}
	if dir == "" {
		if path, err := exec.LookPath(name); err == nil {
			if abs, err := filepath.Abs(path); err == nil {
				return abs, nil
			}
		}
	}
	return "", protocol.Diagnostics{}.Errorf(name+" binary not found",
		"The docker provider builds its image from the runtime binary; it looked for %s at %s$PATH. "+
			"Run `make build` to build the runtimes next to rampart, or set image in the docker block.", name, looked)
}

func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// binaryHashes caches the SHA-256 of runtime binaries while their size and modification
// time are unchanged: planning hundreds of instances would otherwise hash the same
// multi-megabyte file hundreds of times.
type binaryHashes struct {
	mu      sync.Mutex
	entries map[string]hashEntry
}

type hashEntry struct {
	size    int64
	modTime time.Time
	sum     string
}

// resolve finds and hashes the runtime binary name.
func (h *binaryHashes) resolve(name, dir string) (runtimeBinary, protocol.Diagnostics) {
	path, diags := findBinary(name, dir)
	if diags.HasErrors() {
		return runtimeBinary{}, diags
	}
	sum, err := h.sum(path)
	if err != nil {
		return runtimeBinary{}, diags.FromErr("cannot read "+name+" binary", err)
	}
	return runtimeBinary{Path: path, SHA256: sum}, nil
}

func (h *binaryHashes) sum(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("hash runtime binary: %w", err)
	}
	h.mu.Lock()
	e, ok := h.entries[path]
	h.mu.Unlock()
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.sum, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	h.mu.Lock()
	if h.entries == nil {
		h.entries = map[string]hashEntry{}
	}
	h.entries[path] = hashEntry{size: info.Size(), modTime: info.ModTime(), sum: sum}
	h.mu.Unlock()
	return sum, nil
}
