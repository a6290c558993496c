package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes as main.hcl to Load, and a successfully loaded
// configuration to the runtime decoder and ValidateRuntime: none of them may panic,
// whatever a user writes.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/load/full", "testdata/kinds"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
		for _, p := range paths {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	for _, tc := range loadErrorCases {
		paths, _ := filepath.Glob(filepath.Join("testdata/load", tc.dir, "*.hcl"))
		for _, p := range paths {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		c, diags := Load(dir)
		if c == nil {
			t.Fatal("Load returned a nil Config")
		}
		if diags.HasErrors() {
			return
		}
		for _, a := range c.Appliances {
			exerciseRuntime(a)
		}
		_ = c.SourceHash()
	})
}
