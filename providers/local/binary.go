package local

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
	"github.com/zclconf/go-cty/cty"
)

// runtimeBinary is a runtime binary found on disk.
type runtimeBinary struct {
	Path   string // absolute
	SHA256 string // hex
}

// binaryNotFound is the diagnostic for a missing runtime binary; it says where rampart
// looked and how to get the binary.
func binaryNotFound(name, detail string) protocol.Diagnostics {
	return protocol.Diagnostics{{
		Severity:  protocol.Error,
		Summary:   name + " binary not found",
		Detail:    detail,
		Attribute: cty.GetAttrPath("placement").GetAttr(attrBinary),
	}}
}

// findBinary locates the runtime binary: the `binary` attribute when set, otherwise
// name next to the provider's own executable, then in $PATH.
func findBinary(name, configured string) (string, protocol.Diagnostics) {
	if configured != "" {
		abs, err := filepath.Abs(configured)
		if err == nil && isExecutableFile(abs) {
			return abs, nil
		}
		return "", binaryNotFound(name, fmt.Sprintf(
			"binary = %q is not an executable file. Set binary to the path of a %s build, or remove it to use the %s built by `make build`.",
			configured, name, name))
	}
	var looked string
	if self, err := os.Executable(); err == nil {
		candidate := filepath.Join(filepath.Dir(self), name)
		if isExecutableFile(candidate) {
			return candidate, nil
		}
		looked = candidate + " and "
	}
	if path, err := exec.LookPath(name); err == nil {
		abs, err := filepath.Abs(path)
		if err == nil {
			return abs, nil
		}
	}
	return "", binaryNotFound(name, fmt.Sprintf(
		"Looked for %s at %s$PATH. Run `make build` to build the runtimes next to rampart, or set binary in the local block.",
		name, looked))
}

func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// binaryHashes caches the SHA-256 of runtime binaries. Planning hundreds of instances
// would otherwise read the same multi-megabyte file hundreds of times; the cache entry is
// reused only while the file's size and modification time are unchanged, so a rebuild
// is still noticed.
type binaryHashes struct {
	mu      sync.Mutex
	entries map[string]hashEntry
}

type hashEntry struct {
	size    int64
	modTime time.Time
	sum     string
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
	sum, err := fileSHA256(path)
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

// resolve finds and hashes the runtime binary.
func (h *binaryHashes) resolve(name, configured string) (runtimeBinary, protocol.Diagnostics) {
	path, diags := findBinary(name, configured)
	if diags.HasErrors() {
		return runtimeBinary{}, diags
	}
	sum, err := h.sum(path)
	if err != nil {
		return runtimeBinary{}, diags.FromErr("cannot read "+name+" binary", err)
	}
	return runtimeBinary{Path: path, SHA256: sum}, nil
}

func fileSHA256(path string) (string, error) {
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
