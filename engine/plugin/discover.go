package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ExecutablePrefix starts the file name of every provider plugin: rampart-provider-<name>.
const ExecutablePrefix = "rampart-provider-"

// PluginPathEnv names the environment variable holding extra plugin directories,
// separated like PATH. They take precedence over every other location.
const PluginPathEnv = "RAMPART_PLUGIN_PATH"

// Meta describes one discovered plugin executable.
type Meta struct {
	Name string // provider type, e.g. "local"
	Path string // absolute path of the executable
}

// Checksum returns "sha256:<hex>" of the executable. Asking often is cheap: the digest is
// remembered while the file provably has not changed (see internal/filedigest).
func (m Meta) Checksum() (string, error) {
	return fileChecksum(m.Path)
}

// executableDir returns the directory of the running rampart binary. It is a variable so
// tests, whose binary is the test executable, can point it elsewhere.
var executableDir = func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		return "", err
	}
	return filepath.Dir(exe), nil
}

// SearchDirs lists, by precedence, the directories Discover looks in: each entry of
// RAMPART_PLUGIN_PATH, then <workDir>/.rampart/plugins, then the directory of the running
// rampart executable. Callers use it to tell users where a missing plugin was looked for.
func SearchDirs(workDir string) ([]string, error) {
	var dirs []string
	for _, dir := range filepath.SplitList(os.Getenv(PluginPathEnv)) {
		if dir == "" {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("%s entry %q: %w", PluginPathEnv, dir, err)
		}
		dirs = append(dirs, abs)
	}

	local, err := filepath.Abs(filepath.Join(workDir, ".rampart", "plugins"))
	if err != nil {
		return nil, fmt.Errorf("plugin directory of %s: %w", workDir, err)
	}
	dirs = append(dirs, local)

	exeDir, err := executableDir()
	if err != nil {
		return nil, fmt.Errorf("find the directory of the rampart executable: %w", err)
	}
	return append(dirs, exeDir), nil
}

// Discover finds every rampart-provider-<name> executable in SearchDirs(workDir). When a
// name appears in several directories, the first directory wins. Directories that do not
// exist are skipped.
func Discover(workDir string) (map[string]Meta, error) {
	dirs, err := SearchDirs(workDir)
	if err != nil {
		return nil, err
	}
	found := make(map[string]Meta)
	for _, dir := range dirs {
		if err := discoverIn(dir, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// discoverIn adds the plugins of one directory to found, keeping entries already there.
func discoverIn(dir string, found map[string]Meta) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("list plugins in %s: %w", dir, err)
	}
	for _, entry := range entries {
		name, ok := providerName(entry.Name())
		if !ok {
			continue
		}
		if _, seen := found[name]; seen {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		// Stat follows symlinks: a link to a plugin installed elsewhere is a plugin.
		info, err := os.Stat(path)
		if err != nil || !isExecutableFile(info) {
			continue
		}
		found[name] = Meta{Name: name, Path: path}
	}
	return nil
}

// providerName extracts <name> from rampart-provider-<name>[.exe].
func providerName(fileName string) (string, bool) {
	if runtime.GOOS == "windows" {
		if !strings.HasSuffix(strings.ToLower(fileName), ".exe") {
			return "", false
		}
		fileName = fileName[:len(fileName)-len(".exe")]
	}
	name, ok := strings.CutPrefix(fileName, ExecutablePrefix)
	if !ok || name == "" {
		return "", false
	}
	return name, true
}

func isExecutableFile(info fs.FileInfo) bool {
	if !info.Mode().IsRegular() {
		return false
	}
	// Windows has no executable bit; the .exe suffix checked by providerName stands in.
	return runtime.GOOS == "windows" || info.Mode().Perm()&0o111 != 0
}
