package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"
)

// Systems of the result rows.
const (
	systemRampart = "rampart"
	systemFloor   = "docker-api" // the direct Docker API client loop
)

// Operations measured per N.
const (
	opApply   = "apply"
	opPlan    = "plan" // no-change plan -detailed-exitcode; the median of the repeats
	opDestroy = "destroy"
)

// Targets of issue 4.
const (
	planTarget      = 300 * time.Millisecond // no-change plan of 200 containers
	planTargetN     = 200
	overheadTarget  = 1.10 // apply and destroy within 10% of the floor
	referenceSource = "OpenTofu + kreuzwerker/docker at N=200 (issue 4): plan 3.4–5.9 s, apply 41.7 s, destroy 31.6 s"
)

// measurement is one operation at one N, by both systems.
type measurement struct {
	N       int
	Op      string
	Rampart time.Duration
	Floor   time.Duration
}

func (m measurement) ratio() float64 {
	if m.Floor <= 0 {
		return 0
	}
	return m.Rampart.Seconds() / m.Floor.Seconds()
}

// verdict says whether the target for this operation is met: apply and destroy
// within 10% of the floor at every N, a no-change plan of 200 under 0.3 s. Plans at
// other N have no target ("").
func (m measurement) verdict() string {
	met := false
	switch {
	case m.Op == opPlan && m.N == planTargetN:
		met = m.Rampart < planTarget
	case m.Op == opPlan:
		return ""
	default:
		met = m.ratio() <= overheadTarget
	}
	if met {
		return "met"
	}
	return "NOT met"
}

func (m measurement) target() string {
	switch {
	case m.Op == opPlan && m.N == planTargetN:
		return fmt.Sprintf("rampart < %.1f s", planTarget.Seconds())
	case m.Op == opPlan:
		return "-"
	}
	return fmt.Sprintf("ratio ≤ %.2f", overheadTarget)
}

// Row is one figure of bench/results/docker.json (DESIGN §8).
type Row struct {
	Case   string  `json:"case"`
	System string  `json:"system"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

// rows turns the measurements into result records: per N ("n=200") and system, one
// <operation>_s row in seconds.
func rows(ms []measurement) []Row {
	var out []Row
	for _, m := range ms {
		c := fmt.Sprintf("n=%d", m.N)
		out = append(out,
			Row{Case: c, System: systemRampart, Metric: m.Op + "_s", Value: seconds(m.Rampart), Unit: "s"},
			Row{Case: c, System: systemFloor, Metric: m.Op + "_s", Value: seconds(m.Floor), Unit: "s"},
		)
	}
	return out
}

// seconds rounds to the millisecond.
func seconds(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}

// printTable prints one line per N and operation, with the ratio and the target.
func printTable(w io.Writer, ms []measurement) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\toperation\trampart s\tdocker-api s\tratio\ttarget\t\t")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.3f\t%.2f\t%s\t%s\t\n",
			m.N, m.Op, seconds(m.Rampart), seconds(m.Floor), m.ratio(), m.target(), m.verdict())
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nreference:", referenceSource)
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
		return fmt.Errorf("write results %s: %w", path, err)
	}
	return nil
}
