package local

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// File names inside an instance directory.
const (
	configFileName = "config.json"
	logFileName    = "runtime.log"
	pidFileName    = "pid"
)

// maxDirNameLen keeps directory names well under file-system limits even for long
// for_each keys.
const maxDirNameLen = 100

// instanceDir is the directory of one instance and the files in it.
type instanceDir struct {
	Path   string
	Config string
	Log    string
	PID    string
}

func newInstanceDir(stateDir, address string) instanceDir {
	dir := filepath.Join(stateDir, dirName(address))
	return instanceDir{
		Path:   dir,
		Config: filepath.Join(dir, configFileName),
		Log:    filepath.Join(dir, logFileName),
		PID:    filepath.Join(dir, pidFileName),
	}
}

// dirName turns an instance address into a directory name. Addresses made only of
// letters, digits, '.', '_' and '-' are used as they are (waf.shop), so the directory is
// easy to find. Otherwise each run of other characters becomes one '_' and the name gets
// "@" and a hash of the whole address (waf.edge["eu"] → waf.edge_eu_@1f0c…): '@' never
// survives sanitising, so a changed name cannot collide with an unchanged one, and the
// hash keeps changed names apart from each other.
func dirName(address string) string {
	var b strings.Builder
	changed, lastReplaced := false, false
	for _, r := range address {
		switch {
		case isPlainNameRune(r):
			b.WriteRune(r)
			lastReplaced = false
		case !lastReplaced: // a run such as `["` becomes one '_'
			b.WriteByte('_')
			changed, lastReplaced = true, true
		}
	}
	name := b.String()
	if len(name) > maxDirNameLen {
		name = name[:maxDirNameLen]
		changed = true
	}
	// "." and ".." would point outside the state directory.
	if name == "" || strings.Trim(name, ".") == "" {
		changed = true
	}
	if !changed {
		return name
	}
	sum := sha256.Sum256([]byte(address))
	return name + "@" + hex.EncodeToString(sum[:5])
}

func isPlainNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}
