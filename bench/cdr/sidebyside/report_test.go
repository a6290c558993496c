package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sampleResults() ([]replayResult, *ingestResult) {
	replays := []replayResult{
		{Case: caseScanVXLAN, System: systemRampart, Packets: 1_000_000, Bytes: 110_000_000, CPU: 320 * time.Millisecond, StartupCPU: 20 * time.Millisecond, Detections: 4},
		{Case: caseScanVXLAN, System: systemSuricata, Packets: 1_000_000, Bytes: 110_000_000, CPU: 1720 * time.Millisecond, StartupCPU: 80 * time.Millisecond, Detections: 8},
	}
	ingest := &ingestResult{Sent: 1_000_000, SendRate: 451_234.4, Received: 999_000, KernelDrops: 1000, Findings: 4, ReceiverCPU: 1500 * time.Millisecond, SenderCPU: 2 * time.Second}
	return replays, ingest
}

// The table and the JSON rows of a fixed set of results, against golden files.
func TestReportGolden(t *testing.T) {
	replays, ingest := sampleResults()
	var out bytes.Buffer
	printTable(&out, replays, ingest)
	out.WriteString("\n")
	printVerdicts(&out, verdicts(replays, ingest))
	checkGolden(t, "report.golden", out.Bytes())

	path := filepath.Join(t.TempDir(), "results", "cdr.json")
	if err := writeResults(path, rows(replays, ingest)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []Row
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatalf("cdr.json is not a list of rows: %v", err)
	}
	checkGolden(t, "cdr.json.golden", data)
}

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
		t.Fatalf("%v (run go test -run TestReportGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestVerdicts(t *testing.T) {
	fast := replayResult{Case: caseScanVXLAN, System: systemRampart, Packets: 3_000_000, CPU: 900 * time.Millisecond}
	slow := replayResult{Case: caseScanVXLAN, System: systemRampart, Packets: 1_000_000, CPU: time.Second}
	for _, tc := range []struct {
		name     string
		replays  []replayResult
		ingest   *ingestResult
		wantMet  []bool
		wantGone []bool
	}{
		{"both met", []replayResult{fast}, &ingestResult{Sent: 10, Received: 10, SendRate: 450_000}, []bool{true, true}, []bool{false, false}},
		{"slow replay", []replayResult{slow}, &ingestResult{Sent: 10, Received: 10, SendRate: 450_000}, []bool{false, true}, []bool{false, false}},
		{"ingest lost one", []replayResult{fast}, &ingestResult{Sent: 10, Received: 9, SendRate: 450_000}, []bool{true, false}, []bool{false, false}},
		{"ingest too slow", []replayResult{fast}, &ingestResult{Sent: 10, Received: 10, SendRate: 300_000}, []bool{true, false}, []bool{false, false}},
		{"nothing measured", nil, nil, []bool{false, false}, []bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := verdicts(tc.replays, tc.ingest)
			if len(vs) != len(tc.wantMet) {
				t.Fatalf("%d verdicts, want %d: %+v", len(vs), len(tc.wantMet), vs)
			}
			for i, v := range vs {
				if v.Met != tc.wantMet[i] || v.Absent != tc.wantGone[i] {
					t.Errorf("verdict %d %q: met %v absent %v, want %v %v", i, v.Text, v.Met, v.Absent, tc.wantMet[i], tc.wantGone[i])
				}
			}
		})
	}
}
