// Command ftw runs the OWASP CRS regression corpus (go-ftw's YAML format) against the real
// rampart-waf binary: `make ftw`.
//
// It starts an albedo-like backend and rampart-waf (detect mode, paranoia level 4, response
// inspection, the CRS test tuning) on 127.0.0.1, sends every test's request raw over TCP
// exactly as go-ftw would, and reads the rule ids rampart-waf logged for that request
// (security events, correlated by the X-Request-Id of the response; the request's access
// record marks its log complete). It prints a per-rule-file breakdown and ends with the
// line "N passed, M failed"; every failing test and its reason go to
// bench/results/crs-regression.txt. Failing tests are a measurement, not an error: the exit
// status is 0 unless the runner itself cannot run.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ftw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "bin/rampart-waf", "the rampart-waf binary to test")
	corpus := fs.String("tests", "../shared/data/crs-v4.25.0-tests/tests/regression/tests", "directory of the corpus YAML files")
	filter := fs.String("filter", "", "run only tests whose id (<rule_id>-<test_id>) or file matches this regular expression")
	verbose := fs.Bool("v", false, "print every test's outcome and the WAF's own log lines")
	workers := fs.Int("workers", 8, "tests run concurrently")
	out := fs.String("out", "bench/results/crs-regression.txt", "file listing every failing test with its reason")
	timeout := fs.Duration("timeout", 15*time.Second, "per request: connect, send and read the response")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *workers < 1 || *workers > 64 {
		fmt.Fprintln(stderr, "ftw: -workers must be between 1 and 64")
		return 2
	}
	var re *regexp.Regexp
	if *filter != "" {
		var err error
		if re, err = regexp.Compile(*filter); err != nil {
			fmt.Fprintf(stderr, "ftw: -filter: %v\n", err)
			return 2
		}
	}

	tests, errs := loadCorpus(*corpus)
	for _, err := range errs {
		fmt.Fprintln(stderr, "ftw:", err)
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "ftw: %d corpus files do not parse; fix them or the runner's parser\n", len(errs))
		return 1
	}
	if re != nil {
		tests = selectTests(tests, re)
	}
	if len(tests) == 0 {
		fmt.Fprintf(stderr, "ftw: no tests in %s match -filter %q\n", *corpus, *filter)
		return 1
	}

	backend, err := startBackend()
	if err != nil {
		fmt.Fprintln(stderr, "ftw:", err)
		return 1
	}
	defer backend.close()
	var wafEcho io.Writer
	if *verbose {
		wafEcho = stderr
	}
	waf, err := startWAF(*bin, backend.addr(), wafEcho)
	if err != nil {
		fmt.Fprintln(stderr, "ftw:", err)
		return 1
	}
	defer waf.stop()

	fmt.Fprintf(stdout, "running %d tests from %s against %s (%d workers)\n", len(tests), *corpus, *bin, *workers)
	started := time.Now()
	r := &runner{waf: waf, timeout: *timeout, logWait: 10 * time.Second}
	results := r.runAll(tests, *workers, func(res testResult) {
		if *verbose || res.outcome == failed {
			line := fmt.Sprintf("%s %s", res.outcome, res.test.ID)
			if res.reason != "" {
				line += ": " + res.reason
			}
			fmt.Fprintln(stdout, line)
		}
	})
	elapsed := time.Since(started)
	waf.stop() // before the summary, so that nothing the WAF logs follows it

	var total tally
	for _, res := range results {
		total.add(res.outcome)
	}
	fmt.Fprintln(stdout)
	writeBreakdown(stdout, results)
	if err := writeResultsFile(*out, results, *bin, *corpus, elapsed); err != nil {
		fmt.Fprintln(stderr, "ftw:", err)
		return 1
	}
	fmt.Fprintf(stdout, "failing tests and reasons: %s (%s)\n", *out, elapsed.Round(time.Second))
	fmt.Fprintln(stdout, total.summary())
	return 0
}

func selectTests(tests []corpusTest, re *regexp.Regexp) []corpusTest {
	var kept []corpusTest
	for _, t := range tests {
		if re.MatchString(t.ID) || re.MatchString(t.RuleFile) {
			kept = append(kept, t)
		}
	}
	return kept
}
