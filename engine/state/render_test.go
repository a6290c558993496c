package state

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRenderStateGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderState(&buf, conformanceState()); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "t0k3n", "k1", "s3cret", "cred-token-value"} {
		if bytes.Contains(buf.Bytes(), []byte(secret)) {
			t.Errorf("rendered state shows secret %q", secret)
		}
	}
	checkGolden(t, "state", buf.Bytes())
}

func TestRenderEmptyStateGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderState(&buf, NewState()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "state_empty", buf.Bytes())
}

func TestRedactedJSONGolden(t *testing.T) {
	s := conformanceState()
	s.Lineage = "0123456789abcdef0123456789abcdef"
	s.RampartVersion = "0.1.0-test"
	data, err := s.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "state_redacted_json", data)
}
