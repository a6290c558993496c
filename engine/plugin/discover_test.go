package plugin

import (
	"os"
	"path/filepath"
	"testing"
)

// writeExecutable creates a file that Discover accepts as a plugin.
func writeExecutable(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// setExecutableDir points Discover's "next to the rampart binary" location at dir for one test.
func setExecutableDir(t *testing.T, dir string) {
	t.Helper()
	saved := executableDir
	executableDir = func() (string, error) { return dir, nil }
	t.Cleanup(func() { executableDir = saved })
}

func TestDiscoverPrecedence(t *testing.T) {
	root := t.TempDir()
	envFirst := filepath.Join(root, "env1")
	envSecond := filepath.Join(root, "env2")
	workDir := filepath.Join(root, "work")
	localDir := filepath.Join(workDir, ".rampart", "plugins")
	exeDir := filepath.Join(root, "bin")

	// "a" everywhere, "b" in the work dir and next to rampart, "c" only next to rampart,
	// "d" in both RAMPART_PLUGIN_PATH entries.
	for _, dir := range []string{envFirst, localDir, exeDir} {
		writeExecutable(t, filepath.Join(dir, "rampart-provider-a"), dir)
	}
	for _, dir := range []string{localDir, exeDir} {
		writeExecutable(t, filepath.Join(dir, "rampart-provider-b"), dir)
	}
	writeExecutable(t, filepath.Join(exeDir, "rampart-provider-c"), exeDir)
	writeExecutable(t, filepath.Join(envFirst, "rampart-provider-d"), envFirst)
	writeExecutable(t, filepath.Join(envSecond, "rampart-provider-d"), envSecond)

	// Not plugins: a file without the executable bit, a directory, an unrelated name, the
	// bare prefix.
	if err := os.WriteFile(filepath.Join(envFirst, "rampart-provider-noexec"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(envFirst, "rampart-provider-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeExecutable(t, filepath.Join(envFirst, "rampart-waf"), "")
	writeExecutable(t, filepath.Join(envFirst, "rampart-provider-"), "")

	// A symlink to a plugin installed elsewhere counts.
	writeExecutable(t, filepath.Join(root, "elsewhere", "real-binary"), "")
	if err := os.Symlink(filepath.Join(root, "elsewhere", "real-binary"), filepath.Join(localDir, "rampart-provider-linked")); err != nil {
		t.Fatal(err)
	}

	// An entry that does not exist and an empty entry are skipped.
	t.Setenv(PluginPathEnv, filepath.Join(root, "missing")+string(os.PathListSeparator)+envFirst+
		string(os.PathListSeparator)+string(os.PathListSeparator)+envSecond)
	setExecutableDir(t, exeDir)

	got, err := Discover(workDir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":      filepath.Join(envFirst, "rampart-provider-a"),
		"b":      filepath.Join(localDir, "rampart-provider-b"),
		"c":      filepath.Join(exeDir, "rampart-provider-c"),
		"d":      filepath.Join(envFirst, "rampart-provider-d"),
		"linked": filepath.Join(localDir, "rampart-provider-linked"),
	}
	if len(got) != len(want) {
		t.Errorf("Discover found %d plugins %v, want %d", len(got), got, len(want))
	}
	for name, path := range want {
		meta, ok := got[name]
		if !ok {
			t.Errorf("plugin %q not found", name)
			continue
		}
		if meta.Name != name || meta.Path != path {
			t.Errorf("plugin %q = %+v, want path %s", name, meta, path)
		}
	}
}

func TestSearchDirsOrder(t *testing.T) {
	root := t.TempDir()
	t.Setenv(PluginPathEnv, filepath.Join(root, "x")+string(os.PathListSeparator)+filepath.Join(root, "y"))
	setExecutableDir(t, filepath.Join(root, "bin"))

	got, err := SearchDirs(filepath.Join(root, "work"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(root, "x"),
		filepath.Join(root, "y"),
		filepath.Join(root, "work", ".rampart", "plugins"),
		filepath.Join(root, "bin"),
	}
	if len(got) != len(want) {
		t.Fatalf("SearchDirs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("SearchDirs[%d] = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestDiscoverDefaultExecutableDir(t *testing.T) {
	// Without injection the last search directory is where the running binary lives.
	t.Setenv(PluginPathEnv, "")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := SearchDirs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if last := dirs[len(dirs)-1]; last != filepath.Dir(exe) {
		t.Errorf("last search dir = %s, want %s", last, filepath.Dir(exe))
	}
}

func TestChecksumCacheNoticesChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rampart-provider-x")
	writeExecutable(t, path, "one")
	meta := Meta{Name: "x", Path: path}

	first, err := meta.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	// sha256("one")
	if want := "sha256:7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"; first != want {
		t.Errorf("Checksum = %s, want %s", first, want)
	}
	writeExecutable(t, path, "a longer binary")
	second, err := meta.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Errorf("Checksum did not change after the file changed: %s", second)
	}

	if _, err := (Meta{Name: "gone", Path: filepath.Join(t.TempDir(), "nope")}).Checksum(); err == nil {
		t.Error("Checksum of a missing file succeeded")
	}
}

func BenchmarkChecksumCached(b *testing.B) {
	path := filepath.Join(b.TempDir(), "rampart-provider-bench")
	if err := os.WriteFile(path, make([]byte, 8<<20), 0o755); err != nil {
		b.Fatal(err)
	}
	meta := Meta{Name: "bench", Path: path}
	if _, err := meta.Checksum(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := meta.Checksum(); err != nil {
			b.Fatal(err)
		}
	}
}
