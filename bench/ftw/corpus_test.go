package main

import (
	"testing"
)

const corpusDir = "../../../shared/data/crs-v4.25.0-tests/tests/regression/tests"

// TestParseWholeCorpus parses the CRS v4.25.0 regression corpus: 4,711 tests, no errors.
func TestParseWholeCorpus(t *testing.T) {
	tests, errs := loadCorpus(corpusDir)
	for _, err := range errs {
		t.Error(err)
	}
	if len(tests) != 4711 {
		t.Errorf("parsed %d tests, want 4711", len(tests))
	}
}
