package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/bench/procstat"
)

// sampleMeasurements are fixed figures for the report tests.
func sampleMeasurements() []measurement {
	load := func(requests, bytes int64, cpu time.Duration) loadResult {
		// The clients and the origin use half the proxy's CPU in these figures.
		return loadResult{Requests: requests, Bytes: bytes, Elapsed: 10 * time.Second, ProxyCPU: cpu, HarnessCPU: cpu / 2}
	}
	return []measurement{
		{Case: caseDownload, System: systemGateway, Load: load(40, 2000<<20, 2*time.Second)},
		{Case: caseSmall, System: systemGateway, Load: load(90000, 9000000, 3*time.Second)},
		{Case: caseHitHTTP, System: systemGateway, Load: load(5000, 5000<<20, 4*time.Second)},
		{Case: caseDownload, System: systemSquid, Load: load(10, 500<<20, 3*time.Second)},
		{Case: caseSmall, System: systemSquid, Load: load(20000, 2000000, 5*time.Second)},
		{Case: caseHitHTTP, System: systemSquid, Load: load(2500, 2500<<20, 6*time.Second), OriginFetches: 2},
		{Case: capacityCase(3000), System: systemGateway, Capacity: &capacityResult{Connections: 3000, Footprint: procstat.Footprint{PeakRSS: 60 << 20, RSS: 55 << 20, FDs: 6010}}},
		{Case: capacityCase(3000), System: systemSquid, Capacity: &capacityResult{Connections: 3000, Footprint: procstat.Footprint{PeakRSS: 90 << 20, RSS: 88 << 20, FDs: 6040}}},
	}
}

// twoCores makes the figures that depend on the machine's cores those of a 2-core one.
func twoCores(t *testing.T) {
	saved := machineCores
	machineCores = 2
	t.Cleanup(func() { machineCores = saved })
}

func TestCompareJudgesEachRow(t *testing.T) {
	twoCores(t)
	got := compare(sampleMeasurements())
	// Ceiling: 2 cores over the cheaper run's clients+origin CPU per unit, over Squid's
	// figure: download 2e6/500 µs/MiB = 4000 MiB/s = 80× 50; small 2e6/16.7 µs =
	// 120,000 rps = 60× 2000; cache hit 2e6/400 µs = 5000 rps = 20× 250.
	want := []comparison{
		{Case: caseDownload, Ratio: 4, Met: true, CPUAdvantage: 6, Ceiling: 80},  // 200 vs 50 MiB/s; 6000 vs 1000 µs/MiB
		{Case: caseSmall, Ratio: 4.5, Met: true, CPUAdvantage: 7.5, Ceiling: 60}, // 9000 vs 2000 rps; 250 vs 33.3 µs/req
		{Case: caseHitHTTP, Ratio: 2, Met: false, CPUAdvantage: 3, Ceiling: 20},  // 500 vs 250 rps; 2400 vs 800 µs/req
		{Case: capacityCase(3000), Ratio: 60.0 / 90.0, Memory: true, Met: true},  // less memory
	}
	if len(got) != len(want) {
		t.Fatalf("got %d comparisons, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Case != w.Case || g.Memory != w.Memory || g.Met != w.Met || round(g.Ratio, 3) != round(w.Ratio, 3) ||
			round(g.CPUAdvantage, 3) != round(w.CPUAdvantage, 3) || round(g.Ceiling, 3) != round(w.Ceiling, 3) {
			t.Errorf("comparison %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestCompareSkipsRowsWithOneSystem(t *testing.T) {
	ms := []measurement{{Case: caseSmall, System: systemGateway, Load: loadResult{Requests: 10, Elapsed: time.Second}}}
	if got := compare(ms); len(got) != 0 {
		t.Errorf("compare = %+v, want nothing without Squid's figure", got)
	}
}

// The printed table, ratios and JSON rows are golden files.
func TestReportGolden(t *testing.T) {
	twoCores(t)
	ms := sampleMeasurements()
	var text bytes.Buffer
	printTable(&text, ms)
	printComparisons(&text, compare(ms))
	checkGolden(t, "report.txt.golden", text.Bytes())

	path := filepath.Join(t.TempDir(), "gateway.json")
	if err := writeResults(path, rows(ms)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gateway.json.golden", data)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (rerun with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update if intended):\n%s", golden, got)
	}
}
