package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr"
)

// The parser reads what the real ReplaySummary prints, so a change of that format fails
// here rather than in the middle of a benchmark run.
func TestParseReplaySummaryReadsRampartCDRsLine(t *testing.T) {
	s := cdr.ReplaySummary{File: "/tmp/x (1).pcap", Findings: 4}
	s.Counts.Packets, s.Counts.Decoded, s.Counts.Truncated = 1000000, 999990, 10
	got, ok := parseReplaySummary([]byte("{\"type\":\"port_scan\"}\n" + s.String() + "\n"))
	want := replaySummary{Frames: 1000000, Decoded: 999990, Truncated: 10, Findings: 4}
	if !ok || got != want {
		t.Fatalf("parseReplaySummary(%q) = %+v, %v; want %+v", s.String(), got, ok, want)
	}
	if _, ok := parseReplaySummary([]byte("rampart-cdr replay: open capture: no such file\n")); ok {
		t.Error("an error message parsed as a summary")
	}
}

func TestSuricataPacketsRead(t *testing.T) {
	for _, tc := range []struct {
		log  string
		want int
		ok   bool
	}{
		// As Suricata 7.0.10 logs it at the end of a pcap run.
		{"[1 - Suricata-Main] 2026-11-22 01:50:00 Notice: pcap: read 1 file, 1000000 packets, 110000000 bytes\n", 1000000, true},
		{"Notice: pcap: read 2 files, 7 packets, 420 bytes", 7, true},
		{"Error: pcap: failed to get first packet timestamp", 0, false},
	} {
		got, ok := suricataPacketsRead([]byte(tc.log))
		if got != tc.want || ok != tc.ok {
			t.Errorf("suricataPacketsRead(%q) = %d, %v; want %d, %v", tc.log, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCountLinesCountsAlertsInEveJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eve.json")
	eve := `{"event_type":"alert","alert":{"signature_id":9000001}}
{"event_type":"flow"}
{"event_type":"alert","alert":{"signature_id":9000002}}
`
	if err := os.WriteFile(path, []byte(eve), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := countLines(path, []byte(`"event_type":"alert"`))
	if err != nil || n != 2 {
		t.Fatalf("countLines = %d, %v; want 2 alerts", n, err)
	}
	n, err = countLines(filepath.Join(t.TempDir(), "absent.json"), []byte("x"))
	if err != nil || n != 0 {
		t.Fatalf("countLines of a missing eve.json = %d, %v; want 0 (Suricata writes none without alerts)", n, err)
	}
}

func TestMedianRunTakesTheMiddleCPUTime(t *testing.T) {
	sys := &scriptedSystem{cpus: []time.Duration{3 * time.Second, time.Second, 2 * time.Second}}
	median, all, err := medianRun(t.Context(), sys, capture{}, 3)
	if err != nil || median.CPU != 2*time.Second || len(all) != 3 || all[0].CPU != 3*time.Second {
		t.Fatalf("medianRun = %+v, %+v, %v; want the 2 s run of the three, in run order", median, all, err)
	}
}

// scriptedSystem returns CPU times from a list. It stands in for a program only in the
// test of the median; every other test runs the real programs.
type scriptedSystem struct {
	cpus []time.Duration
	n    int
}

func (s *scriptedSystem) name() string { return "scripted" }

func (s *scriptedSystem) replay(_ context.Context, c capture) (systemRun, error) {
	s.n++
	return systemRun{CPU: s.cpus[s.n-1], Packets: c.Packets}, nil
}
