package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name, or rewrites it with -update.
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestJSONPostBodyIsA2KBOrderWith118Fields(t *testing.T) {
	body := jsonPostBody()
	if n := len(body); n < 1950 || n > 2100 {
		t.Errorf("body is %d bytes, want about 2 KB", n)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if got := countScalars(v); got != 118 {
		t.Errorf("body has %d scalar fields, want 118", got)
	}
	if !bytes.Equal(body, jsonPostBody()) {
		t.Error("two calls returned different bodies")
	}
	checkGolden(t, "json-post-2k.json", body)
}

// countScalars counts the leaves of a decoded JSON value: the arguments a WAF inspects.
func countScalars(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 0
		for _, e := range v {
			n += countScalars(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range v {
			n += countScalars(e)
		}
		return n
	default:
		return 1
	}
}

func TestGetPathHasFourQueryArguments(t *testing.T) {
	_, query, ok := strings.Cut(getPath, "?")
	if !ok || strings.Count(query, "&") != 3 {
		t.Errorf("getPath %q does not carry 4 query arguments", getPath)
	}
}
