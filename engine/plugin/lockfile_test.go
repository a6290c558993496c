package plugin

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/<name>, rewriting the file under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden file %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

func TestLockfileMissingIsEmpty(t *testing.T) {
	lock, err := LoadLockfile(t.TempDir())
	if err != nil {
		t.Fatalf("LoadLockfile of a directory without a lock file: %v", err)
	}
	if got := lock.Providers(); len(got) != 0 {
		t.Errorf("Providers = %v, want none", got)
	}
}

func TestLockfileRoundTrip(t *testing.T) {
	workDir := t.TempDir()
	pluginDir := t.TempDir()
	local := Meta{Name: "local", Path: filepath.Join(pluginDir, "rampart-provider-local")}
	docker := Meta{Name: "docker", Path: filepath.Join(pluginDir, "rampart-provider-docker")}
	writeExecutable(t, local.Path, "local plugin")
	writeExecutable(t, docker.Path, "docker plugin")

	lock, err := LoadLockfile(workDir)
	if err != nil {
		t.Fatal(err)
	}
	// Recorded out of order: the file must still list providers sorted.
	for _, meta := range []Meta{local, docker} {
		if err := lock.Record(meta); err != nil {
			t.Fatal(err)
		}
	}
	if err := lock.Save(workDir); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(filepath.Join(workDir, LockfileName))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "lockfile.golden", written)

	loaded, err := LoadLockfile(workDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, meta := range []Meta{local, docker} {
		if err := loaded.Verify(meta); err != nil {
			t.Errorf("Verify(%s) after round trip: %v", meta.Name, err)
		}
	}
	// Saving what was loaded changes nothing, byte for byte.
	if err := loaded.Save(workDir); err != nil {
		t.Fatal(err)
	}
	rewritten, err := os.ReadFile(filepath.Join(workDir, LockfileName))
	if err != nil {
		t.Fatal(err)
	}
	if string(rewritten) != string(written) {
		t.Errorf("lock file changed on re-save:\n%s\nwas:\n%s", rewritten, written)
	}
	// No temporary files are left behind.
	entries, err := os.ReadDir(workDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("work dir holds %d entries after two saves, want only the lock file", len(entries))
	}
}

func TestLockfileVerifyErrors(t *testing.T) {
	pluginDir := t.TempDir()
	local := Meta{Name: "local", Path: filepath.Join(pluginDir, "rampart-provider-local")}
	writeExecutable(t, local.Path, "version 1")

	lock := &Lockfile{}
	if err := lock.Record(local); err != nil {
		t.Fatal(err)
	}

	err := lock.Verify(Meta{Name: "docker", Path: "/opt/rampart-provider-docker"})
	want := `provider "docker" is not in .rampart.lock.hcl: run "rampart init" to install it`
	if err == nil || err.Error() != want {
		t.Errorf("Verify of an unrecorded provider:\n got %v\nwant %s", err, want)
	}

	writeExecutable(t, local.Path, "version 2, upgraded")
	err = lock.Verify(local)
	// sha256 of "version 2, upgraded" and of "version 1".
	want = `provider "local": checksum of ` + local.Path +
		` is sha256:b4432c3a4642c49c394a801631e7b87c52efcc3e5cd65feb465744aedfeb5837,` +
		` but .rampart.lock.hcl records sha256:b19f8edae2ee6c225b7278b289c2823ab9accfa225c5d67c4bef270b88ea55f0;` +
		` the plugin changed since "rampart init".` +
		` If you upgraded it on purpose, run "rampart init -upgrade"; otherwise do not run it.`
	if err == nil || err.Error() != want {
		t.Errorf("Verify of a changed plugin:\n got %v\nwant %s", err, want)
	}
}

func TestLoadLockfileMalformed(t *testing.T) {
	valid := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		src     string
		wantErr string
	}{
		{
			name:    "syntax error",
			src:     "provider \"local\" {\n  checksum = \n}\n",
			wantErr: ".rampart.lock.hcl:2,",
		},
		{
			name:    "missing checksum",
			src:     "\n\nprovider \"local\" {\n}\n",
			wantErr: ".rampart.lock.hcl:3,",
		},
		{
			name:    "checksum without algorithm",
			src:     "provider \"local\" {\n  checksum = \"abc\"\n}\n",
			wantErr: `.rampart.lock.hcl:2,14-19: Invalid checksum; checksum "abc" must start with "sha256:".`,
		},
		{
			name:    "checksum too short",
			src:     "provider \"local\" {\n  checksum = \"sha256:abcd\"\n}\n",
			wantErr: `.rampart.lock.hcl:2,14-27: Invalid checksum; checksum "sha256:abcd" must be "sha256:" followed by 64 hexadecimal digits.`,
		},
		{
			name:    "checksum not a literal",
			src:     "provider \"local\" {\n  checksum = var.x\n}\n",
			wantErr: ".rampart.lock.hcl:2,",
		},
		{
			name:    "unknown block",
			src:     "module \"x\" {}\n",
			wantErr: ".rampart.lock.hcl:1,",
		},
		{
			name:    "duplicate provider",
			src:     "provider \"local\" {\n  checksum = \"" + valid + "\"\n}\nprovider \"local\" {\n  checksum = \"" + valid + "\"\n}\n",
			wantErr: `.rampart.lock.hcl:4,1-17: Duplicate provider in lock file; Provider "local" is already recorded on line 1.`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(workDir, LockfileName), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadLockfile(workDir)
			if err == nil {
				t.Fatal("LoadLockfile succeeded, want an error")
			}
			t.Logf("error shown to the user: %v", err)
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), `run "rampart init" again`) {
				t.Errorf("error %q does not say how to fix it", err)
			}
		})
	}
}
