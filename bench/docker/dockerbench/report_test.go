package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var sample = []measurement{
	{N: 10, Op: opApply, Rampart: 2200 * time.Millisecond, Floor: 2100 * time.Millisecond},
	{N: 10, Op: opPlan, Rampart: 150 * time.Millisecond, Floor: 5 * time.Millisecond},
	{N: 10, Op: opDestroy, Rampart: 3 * time.Second, Floor: 2 * time.Second},
	{N: 200, Op: opApply, Rampart: 30 * time.Second, Floor: 29 * time.Second},
	{N: 200, Op: opPlan, Rampart: 350 * time.Millisecond, Floor: 20 * time.Millisecond},
	{N: 200, Op: opDestroy, Rampart: 21 * time.Second, Floor: 20 * time.Second},
}

func TestPrintTable(t *testing.T) {
	var b strings.Builder
	printTable(&b, sample)
	checkGolden(t, "table.txt", b.String())
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		m    measurement
		want string
	}{
		{measurement{N: 200, Op: opPlan, Rampart: 299 * time.Millisecond, Floor: time.Millisecond}, "met"},
		{measurement{N: 200, Op: opPlan, Rampart: 300 * time.Millisecond, Floor: time.Millisecond}, "NOT met"},
		{measurement{N: 50, Op: opPlan, Rampart: time.Second, Floor: time.Millisecond}, ""},
		{measurement{N: 50, Op: opApply, Rampart: 11 * time.Second, Floor: 10 * time.Second}, "met"},
		{measurement{N: 50, Op: opDestroy, Rampart: 11200 * time.Millisecond, Floor: 10 * time.Second}, "NOT met"},
		{measurement{N: 50, Op: opApply, Rampart: 9 * time.Second, Floor: 10 * time.Second}, "met"},
	}
	for _, tt := range tests {
		if got := tt.m.verdict(); got != tt.want {
			t.Errorf("%d %s rampart %s floor %s: verdict %q, want %q", tt.m.N, tt.m.Op, tt.m.Rampart, tt.m.Floor, got, tt.want)
		}
	}
}

// TestWriteResults checks the DESIGN §8 shape: one row per N, operation and system, in
// seconds, from which the ratios can be recomputed.
func TestWriteResults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results", "docker.json")
	if err := writeResults(path, rows(sample)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%s is not a JSON list of rows: %v", path, err)
	}
	if len(got) != 2*len(sample) {
		t.Fatalf("%d rows, want %d", len(got), 2*len(sample))
	}
	want := map[Row]bool{
		{Case: "n=200", System: "rampart", Metric: "apply_s", Value: 30, Unit: "s"}:     true,
		{Case: "n=200", System: "docker-api", Metric: "apply_s", Value: 29, Unit: "s"}:  true,
		{Case: "n=10", System: "rampart", Metric: "plan_s", Value: 0.15, Unit: "s"}:     true,
		{Case: "n=10", System: "docker-api", Metric: "plan_s", Value: 0.005, Unit: "s"}: true,
	}
	for _, r := range got {
		delete(want, r)
	}
	for r := range want {
		t.Errorf("missing row %+v in:\n%s", r, data)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3}, 3},
		{[]time.Duration{5, 1, 3}, 3},
		{[]time.Duration{4, 1, 3, 2}, 3},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseSizes(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"10,50,200", []int{10, 50, 200}, false},
		{" 2 , 5", []int{2, 5}, false},
		{"10,,200", nil, true},
		{"0", nil, true},
		{"ten", nil, true},
	}
	for _, tt := range tests {
		got, err := parseSizes(tt.in)
		if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseSizes(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}
