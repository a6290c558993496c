// Package results keeps what scans found in the scanner's data directory: per job and run,
// the findings as JSON lines and a summary; and the difference from the previous run of the
// same job (new, fixed and unchanged findings), which is what an operator acts on.
//
//	<data_dir>/jobs/<job>/runs/<run id>/findings.jsonl
//	<data_dir>/jobs/<job>/runs/<run id>/summary.json
//	<data_dir>/jobs/<job>/latest.json      (a copy of the newest summary)
package results

import (
	"strconv"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/checks"
)

// Summary describes one run of one job.
type Summary struct {
	Job        string    `json:"job"`
	RunID      string    `json:"run_id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Mode       string    `json:"mode"` // connect or syn
	Profile    string    `json:"profile"`
	// Error is set when the run could not complete (e.g. a target did not resolve).
	Error        string         `json:"error,omitempty"`
	HostsScanned int            `json:"hosts_scanned"`
	HostsUp      int            `json:"hosts_up"`
	OpenPorts    int            `json:"open_ports"`
	Hosts        []Host         `json:"hosts"`
	Findings     int            `json:"findings"`
	BySeverity   map[string]int `json:"findings_by_severity"` // "critical", "high", ...
	Diff         Diff           `json:"diff"`
}

// Host is one scanned host.
type Host struct {
	Addr     string `json:"addr"`
	Name     string `json:"name,omitempty"`
	Up       bool   `json:"up"`
	UpReason string `json:"up_reason"`
	Open     []Port `json:"open,omitempty"`
	Closed   int    `json:"closed"`
	Filtered int    `json:"filtered"`
	// ScanMillis is the port scan's wall time for this host.
	ScanMillis int64 `json:"scan_ms"`
}

// Port is one open port and the service found on it.
type Port struct {
	Port    int    `json:"port"`
	Service string `json:"service,omitempty"`
	Product string `json:"product,omitempty"`
	Version string `json:"version,omitempty"`
	TLS     bool   `json:"tls,omitempty"`
}

// Diff compares a run's findings with the previous run of the same job.
type Diff struct {
	// Previous is the run compared with; empty for a job's first run (all findings are new).
	Previous  string           `json:"previous_run_id,omitempty"`
	New       []checks.Finding `json:"new"`
	Fixed     []checks.Finding `json:"fixed"`
	Unchanged int              `json:"unchanged"`
}

// SeverityName is the word for a 1–5 severity.
func SeverityName(severity int) string {
	switch severity {
	case 5:
		return "critical"
	case 4:
		return "high"
	case 3:
		return "medium"
	case 2:
		return "low"
	}
	return "info"
}

// SeverityNames lists the severities from highest to lowest.
var SeverityNames = []string{"critical", "high", "medium", "low", "info"}

// findingKey identifies "the same finding" across runs: same check, host and port.
// Evidence may change (a certificate's days left) without the finding being new.
func findingKey(f checks.Finding) string {
	return f.CheckID + "|" + f.Host + "|" + strconv.Itoa(f.Port)
}

// Compare returns the difference between the previous findings and the current ones.
func Compare(previousRun string, previous, current []checks.Finding) Diff {
	d := Diff{Previous: previousRun, New: []checks.Finding{}, Fixed: []checks.Finding{}}
	before := make(map[string]bool, len(previous))
	for _, f := range previous {
		before[findingKey(f)] = true
	}
	now := make(map[string]bool, len(current))
	for _, f := range current {
		k := findingKey(f)
		now[k] = true
		if before[k] {
			d.Unchanged++
		} else {
			d.New = append(d.New, f)
		}
	}
	for _, f := range previous {
		if !now[findingKey(f)] {
			d.Fixed = append(d.Fixed, f)
		}
	}
	return d
}
