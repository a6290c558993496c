package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleMeasurements() []measurement {
	us := time.Microsecond
	return []measurement{
		{Case: "get-4-args", System: systemBackend, RPS: 40000, P99: 2 * time.Millisecond, CPUPerReq: 30 * us},
		{Case: "get-4-args", System: systemRampartOff, RPS: 20000, P99: 3 * time.Millisecond, CPUPerReq: 70 * us, BackendCPUPerReq: 25 * us},
		{Case: "get-4-args", System: systemRampart, RPS: 1500, P99: 20 * time.Millisecond, CPUPerReq: 800 * us, BackendCPUPerReq: 25 * us},
		{Case: "get-4-args", System: systemNginx, RPS: 900, P99: 40 * time.Millisecond, CPUPerReq: 2000 * us, BackendCPUPerReq: 170 * us},
		{Case: "json-post-2k", System: systemBackend, RPS: 30000, P99: 2 * time.Millisecond, CPUPerReq: 40 * us},
		{Case: "json-post-2k", System: systemRampart, RPS: 60, P99: 500 * time.Millisecond, CPUPerReq: 15000 * us, Errors: 3},
		{Case: "json-post-2k", System: systemNginx, RPS: 80, P99: 400 * time.Millisecond, CPUPerReq: 25000 * us},
	}
}

func TestRatios(t *testing.T) {
	got := ratios(sampleMeasurements())
	want := []ratio{
		{Case: "get-4-args", Text: "rampart-waf / nginx-modsecurity CPU per request: 0.40 (target ≤ 0.50)", Met: true},
		{Case: "get-4-args", Text: "rampart-waf-off − backend CPU per request: 40.0 µs (target ≤ 50 µs)", Met: true},
		{Case: "json-post-2k", Text: "rampart-waf / nginx-modsecurity CPU per request: 0.60 (target ≤ 0.50)", Met: false},
		{Case: "json-post-2k", Text: "rampart-waf-off − backend CPU per request: not measured", Absent: true},
	}
	if len(got) != len(want) {
		t.Fatalf("ratios = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ratio %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRowsFollowTheResultsFormat(t *testing.T) {
	rs := rows(sampleMeasurements())
	index := map[string]Row{}
	for _, r := range rs {
		index[r.Case+"/"+r.System+"/"+r.Metric] = r
	}
	for key, want := range map[string]Row{
		"get-4-args/backend/cpu_us_per_req":                     {"get-4-args", "backend", "cpu_us_per_req", 30, "µs"},
		"get-4-args/nginx-modsecurity/p99_ms":                   {"get-4-args", "nginx-modsecurity", "p99_ms", 40, "ms"},
		"get-4-args/rampart-waf/rps":                            {"get-4-args", "rampart-waf", "rps", 1500, "requests/s"},
		"get-4-args/rampart-waf-off/backend_cpu_us_per_req":     {"get-4-args", "rampart-waf-off", "backend_cpu_us_per_req", 25, "µs"},
		"json-post-2k/rampart-waf/errors":                       {"json-post-2k", "rampart-waf", "errors", 3, "requests"},
		"json-post-2k/nginx-modsecurity/cpu_us_per_req":         {"json-post-2k", "nginx-modsecurity", "cpu_us_per_req", 25000, "µs"},
		"json-post-2k/nginx-modsecurity/backend_cpu_us_per_req": {"json-post-2k", "nginx-modsecurity", "backend_cpu_us_per_req", 0, "µs"},
	} {
		if got, ok := index[key]; !ok || got != want {
			t.Errorf("%s = %+v (present %v), want %+v", key, got, ok, want)
		}
	}
	if _, ok := index["get-4-args/backend/backend_cpu_us_per_req"]; ok {
		t.Error("the backend has a backend_cpu_us_per_req row")
	}
	if _, ok := index["get-4-args/rampart-waf/errors"]; ok {
		t.Error("an errors row was written for a run without errors")
	}

	path := filepath.Join(t.TempDir(), "results", "waf.json")
	if err := writeResults(path, rs); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"case", "system", "metric", "value", "unit"} {
		if _, ok := back[0][key]; !ok {
			t.Errorf("row lacks %q: %s", key, data)
		}
	}
}

func TestPrintTable(t *testing.T) {
	var b strings.Builder
	printTable(&b, sampleMeasurements()[:2])
	out := b.String()
	for _, want := range []string{"CPU µs/req", "get-4-args", "rampart-waf-off", "70.0", "25.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
