package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// checksumPrefix names the hash algorithm in every checksum string rampart writes.
const checksumPrefix = "sha256:"

// fileChecksums caches plugin checksums for the life of the process: the engine asks for
// them at every start-up step (lock file check, schema cache key, launch), and hashing a
// 30 MB binary each time would dominate a no-change plan.
var fileChecksums = &checksumCache{entries: make(map[string]cachedChecksum)}

type checksumCache struct {
	mu      sync.Mutex
	entries map[string]cachedChecksum
}

// cachedChecksum is valid while the file keeps the size and modification time it had
// when it was hashed.
type cachedChecksum struct {
	size     int64
	modTime  time.Time
	checksum string
}

func (c *checksumCache) checksum(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checksum of plugin %s: %w", path, err)
	}

	c.mu.Lock()
	cached, ok := c.entries[path]
	c.mu.Unlock()
	if ok && cached.size == info.Size() && cached.modTime.Equal(info.ModTime()) {
		return cached.checksum, nil
	}

	sum, err := hashFile(path)
	if err != nil {
		return "", fmt.Errorf("checksum of plugin %s: %w", path, err)
	}
	c.mu.Lock()
	c.entries[path] = cachedChecksum{size: info.Size(), modTime: info.ModTime(), checksum: sum}
	c.mu.Unlock()
	return sum, nil
}

// hashFile returns "sha256:<hex>" of the file's content.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return checksumPrefix + hex.EncodeToString(h.Sum(nil)), nil
}

// checksumDigest validates a "sha256:<64 hex digits>" string and returns the raw digest.
func checksumDigest(checksum string) ([]byte, error) {
	hexDigits, ok := strings.CutPrefix(checksum, checksumPrefix)
	if !ok {
		return nil, fmt.Errorf("checksum %q must start with %q", checksum, checksumPrefix)
	}
	digest, err := hex.DecodeString(hexDigits)
	if err != nil || len(digest) != sha256.Size {
		return nil, fmt.Errorf("checksum %q must be %q followed by %d hexadecimal digits", checksum, checksumPrefix, 2*sha256.Size)
	}
	return digest, nil
}
