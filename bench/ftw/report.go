package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// tally counts outcomes.
type tally struct{ passed, failed, skipped int }

func (t *tally) add(outcome string) {
	switch outcome {
	case passed:
		t.passed++
	case failed:
		t.failed++
	case skipped:
		t.skipped++
	}
}

// summary is the corpus convention's last line: "N passed, M failed[, K skipped]".
func (t tally) summary() string {
	s := fmt.Sprintf("%d passed, %d failed", t.passed, t.failed)
	if t.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.skipped)
	}
	return s
}

// ruleFile is the CRS rule file a test belongs to: its directory in the corpus
// (REQUEST-920-PROTOCOL-ENFORCEMENT).
func ruleFile(t *corpusTest) string {
	dir, _, found := strings.Cut(t.RuleFile, "/")
	if !found {
		return "(top level)"
	}
	return dir
}

// writeBreakdown prints one line per rule file, then the kinds of failure, then the
// skipped tests with their reasons.
func writeBreakdown(w io.Writer, results []testResult) {
	perFile := map[string]*tally{}
	var files []string
	for _, r := range results {
		f := ruleFile(r.test)
		if perFile[f] == nil {
			perFile[f] = &tally{}
			files = append(files, f)
		}
		perFile[f].add(r.outcome)
	}
	sort.Strings(files)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rule file\tpassed\tfailed\tskipped\t")
	for _, f := range files {
		t := perFile[f]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", f, t.passed, t.failed, t.skipped)
	}
	tw.Flush()

	if kinds := failureKinds(results); len(kinds) > 0 {
		fmt.Fprintln(w, "\nfailures by kind:")
		for _, k := range kinds {
			fmt.Fprintf(w, "  %5d  %s\n", k.count, k.kind)
		}
	}
	for _, r := range results {
		if r.outcome == skipped {
			fmt.Fprintf(w, "skipped %s: %s\n", r.test.ID, r.reason)
		}
	}
}

type failureKind struct {
	kind  string
	count int
}

// failureKinds groups failure reasons by their first words, most frequent first.
func failureKinds(results []testResult) []failureKind {
	counts := map[string]int{}
	for _, r := range results {
		if r.outcome == failed {
			counts[kindOf(r.reason)]++
		}
	}
	var kinds []failureKind
	for k, n := range counts {
		kinds = append(kinds, failureKind{k, n})
	}
	sort.Slice(kinds, func(i, j int) bool {
		if kinds[i].count != kinds[j].count {
			return kinds[i].count > kinds[j].count
		}
		return kinds[i].kind < kinds[j].kind
	})
	return kinds
}

func kindOf(reason string) string {
	if _, rest, ok := strings.Cut(reason, ": "); ok && strings.HasPrefix(reason, "stage ") {
		reason = rest
	}
	switch {
	case strings.HasPrefix(reason, "expected id"):
		return "expected id missing"
	case strings.HasPrefix(reason, "unexpected id"):
		return "unexpected id logged"
	case strings.HasPrefix(reason, "status"):
		return "status differs"
	case strings.HasPrefix(reason, "no response"):
		return "no response"
	case strings.HasPrefix(reason, "log "):
		return "log regex"
	default:
		return "other"
	}
}

// writeResultsFile writes every failing (and skipped) test with its reason, then the
// summary line.
func writeResultsFile(path string, results []testResult, bin, corpus string, elapsed time.Duration) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	var t tally
	for _, r := range results {
		t.add(r.outcome)
	}
	fmt.Fprintf(f, "# OWASP CRS v4.25.0 regression corpus against rampart-waf (make ftw)\n")
	fmt.Fprintf(f, "# binary: %s\n# corpus: %s\n# run: %s, %s\n", bin, corpus, time.Now().UTC().Format(time.RFC3339), elapsed.Round(time.Second))
	fmt.Fprintf(f, "# setup: detect mode, paranoia level 4, response inspection on, CRS test tuning (bench/ftw/wafproc.go)\n")
	fmt.Fprintf(f, "# %s\n\n", t.summary())
	writeBreakdown(f, results)
	fmt.Fprintln(f, "\nfailing tests:")
	for _, r := range results {
		if r.outcome == failed {
			fmt.Fprintf(f, "%s\t%s\t%s\n", r.test.ID, r.test.RuleFile, r.reason)
		}
	}
	fmt.Fprintln(f, t.summary())
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	return nil
}
