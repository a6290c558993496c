package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"
)

// Row is one figure of bench/results/waf.json (DESIGN §8).
type Row struct {
	Case   string  `json:"case"`
	System string  `json:"system"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rows turns measurements into the result records: rps, p99_ms and cpu_us_per_req for
// every system, plus backend_cpu_us_per_req behind a WAF and errors when any occurred.
func rows(ms []measurement) []Row {
	var out []Row
	for _, m := range ms {
		out = append(out,
			Row{m.Case, m.System, "rps", round(m.RPS, 1), "requests/s"},
			Row{m.Case, m.System, "p99_ms", round(millis(m.P99), 3), "ms"},
			Row{m.Case, m.System, "cpu_us_per_req", round(micros(m.CPUPerReq), 1), "µs"},
		)
		if m.System != systemBackend {
			out = append(out, Row{m.Case, m.System, "backend_cpu_us_per_req", round(micros(m.BackendCPUPerReq), 1), "µs"})
		}
		if m.Errors > 0 {
			out = append(out, Row{m.Case, m.System, "errors", float64(m.Errors), "requests"})
		}
	}
	return out
}

func round(v float64, decimals int) float64 {
	scale := 1.0
	for range decimals {
		scale *= 10
	}
	return float64(int64(v*scale+0.5)) / scale
}

// writeResults writes the rows as indented JSON to path.
func writeResults(path string, rs []Row) error {
	data, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// printTable prints one line per case and system.
func printTable(w io.Writer, ms []measurement) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsystem\trequests/s\tp99 ms\tCPU µs/req\tbackend µs/req\terrors\tother load\t")
	for _, m := range ms {
		backend := "-"
		if m.System != systemBackend {
			backend = fmt.Sprintf("%.1f", micros(m.BackendCPUPerReq))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.2f\t%.1f\t%s\t%d\t%.2f cores\t\n",
			m.Case, m.System, m.RPS, millis(m.P99), micros(m.CPUPerReq), backend, m.Errors, m.OtherLoad)
	}
	tw.Flush()
}

// ratio is one of the two comparisons issue 3 sets targets for.
type ratio struct {
	Case   string
	Text   string
	Met    bool
	Absent bool // a system it needs was not measured
}

// ratios computes, per case, rampart-waf CPU / nginx-modsecurity CPU per request (target
// ≤ 0.5) and rampart-waf-off CPU − backend CPU per request (target ≤ 50 µs).
func ratios(ms []measurement) []ratio {
	cpu := map[[2]string]time.Duration{}
	var cases []string
	for _, m := range ms {
		if !slices.Contains(cases, m.Case) {
			cases = append(cases, m.Case)
		}
		cpu[[2]string{m.Case, m.System}] = m.CPUPerReq
	}
	var out []ratio
	for _, c := range cases {
		waf, okWAF := cpu[[2]string{c, systemRampart}]
		nginx, okNginx := cpu[[2]string{c, systemNginx}]
		r := ratio{Case: c, Absent: !okWAF || !okNginx || nginx == 0}
		if !r.Absent {
			v := float64(waf) / float64(nginx)
			r.Met = v <= 0.5
			r.Text = fmt.Sprintf("rampart-waf / nginx-modsecurity CPU per request: %.2f (target ≤ 0.50)", v)
		} else {
			r.Text = "rampart-waf / nginx-modsecurity CPU per request: not measured"
		}
		out = append(out, r)

		off, okOff := cpu[[2]string{c, systemRampartOff}]
		backend, okBackend := cpu[[2]string{c, systemBackend}]
		r = ratio{Case: c, Absent: !okOff || !okBackend}
		if !r.Absent {
			v := micros(off - backend)
			r.Met = v <= 50
			r.Text = fmt.Sprintf("rampart-waf-off − backend CPU per request: %.1f µs (target ≤ 50 µs)", v)
		} else {
			r.Text = "rampart-waf-off − backend CPU per request: not measured"
		}
		out = append(out, r)
	}
	return out
}

func printRatios(w io.Writer, rs []ratio) {
	for _, r := range rs {
		verdict := "met"
		switch {
		case r.Absent:
			verdict = "-"
		case !r.Met:
			verdict = "NOT met"
		}
		fmt.Fprintf(w, "  %-13s %s  [%s]\n", r.Case, r.Text, verdict)
	}
}
