package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/internal/filedigest"
)

// checksumPrefix names the hash algorithm in every checksum string rampart writes.
const checksumPrefix = "sha256:"

// fileChecksum returns "sha256:<hex>" of a plugin executable. The engine asks for it at
// every start-up step (lock file check, schema cache key, launch); filedigest computes it
// once and remembers it, across commands too, while the file provably has not changed.
func fileChecksum(path string) (string, error) {
	sum, err := filedigest.Default().SHA256(path)
	if err != nil {
		return "", fmt.Errorf("checksum of plugin %s: %w", path, err)
	}
	return checksumPrefix + sum, nil
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
