package main

import (
	"os"
	"testing"
)

// corpusDir is where the CRS regression corpus is: ../shared/ beside the repository (as on
// a developer's machine and in CI), or RAMPART_CRS_CORPUS.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("RAMPART_CRS_CORPUS")
	if dir == "" {
		dir = "../../../shared/data/crs-v4.25.0-tests/tests/regression/tests"
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("the CRS regression corpus is not at %s: check out shared/ beside the repository, or set RAMPART_CRS_CORPUS to its tests/regression/tests directory", dir)
	}
	return dir
}

// TestParseWholeCorpus parses the CRS v4.25.0 regression corpus: 4,711 tests, no errors.
func TestParseWholeCorpus(t *testing.T) {
	tests, errs := loadCorpus(corpusDir(t))
	for _, err := range errs {
		t.Error(err)
	}
	if len(tests) != 4711 {
		t.Errorf("parsed %d tests, want 4711", len(tests))
	}
}
