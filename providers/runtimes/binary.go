package runtimes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/rampart-sec/rampart/internal/filedigest"
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

// BinarySHA256 returns the hex SHA-256 of a runtime binary. Planning hundreds of
// instances asks for it hundreds of times, and every command asks again: filedigest
// reads the multi-megabyte file once and remembers its digest, across commands too,
// while the file provably has not changed, so a rebuild is still noticed.
func BinarySHA256(path string) (string, error) {
	sum, err := filedigest.Default().SHA256(path)
	if err != nil {
		return "", fmt.Errorf("hash runtime binary: %w", err)
	}
	return sum, nil
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
