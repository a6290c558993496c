// Command report turns `go test -bench` output (on stdin) into the benchmark record of
// DESIGN §8: it prints a table and writes bench/results/<area>.json, a list of
// {"case", "system", "metric", "value", "unit"} rows, so anyone can recompute ratios.
//
// A benchmark names its system with a sub-benchmark segment "system=<name>"
// (e.g. BenchmarkProxy/system=nginx/small-get); without one the system is "rampart".
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Row is one measured figure.
type Row struct {
	Case   string  `json:"case"`
	System string  `json:"system"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

func main() {
	area := flag.String("area", "", "comparison area, names the output file (required)")
	out := flag.String("out", "bench/results", "directory for <area>.json")
	flag.Parse()
	if *area == "" {
		fmt.Fprintln(os.Stderr, "usage: go test -bench ... | go run ./bench/report -area NAME")
		os.Exit(2)
	}
	rows, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "report: no benchmark results on stdin")
		os.Exit(1)
	}
	printTable(os.Stdout, rows)
	data, _ := json.MarshalIndent(rows, "", "  ")
	path := filepath.Join(*out, *area+".json")
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	fmt.Println("\nwrote", path)
}

// parse reads go test -bench output and returns one row per reported metric.
func parse(r io.Reader) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name, system := splitSystem(m[1])
		fields := strings.Fields(m[4])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			metric, unit := metricName(fields[i+1])
			if metric == "ns_per_op" {
				rows = append(rows, Row{Case: name, System: system, Metric: "ms_per_op", Value: v / 1e6, Unit: "ms"})
				continue
			}
			rows = append(rows, Row{Case: name, System: system, Metric: metric, Value: v, Unit: unit})
		}
	}
	return rows, sc.Err()
}

func splitSystem(name string) (string, string) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	system := "rampart"
	kept := parts[:0]
	for _, p := range parts {
		if s, ok := strings.CutPrefix(p, "system="); ok {
			system = s
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), system
}

func metricName(unit string) (metric, u string) {
	switch unit {
	case "ns/op":
		return "ns_per_op", "ns"
	case "B/op":
		return "bytes_per_op", "B"
	case "allocs/op":
		return "allocs_per_op", "allocs"
	}
	return strings.NewReplacer("/", "_per_", "-", "_").Replace(unit), unit
}

func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsystem\tmetric\tvalue\tunit\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t\n", r.Case, r.System, r.Metric, r.Value, r.Unit)
	}
	_ = tw.Flush()
}
