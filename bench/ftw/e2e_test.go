package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// builtWAF is the rampart-waf binary the tests share: building it takes a while.
var builtWAF struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtWAF.dir != "" {
		os.RemoveAll(builtWAF.dir)
	}
	os.Exit(code)
}

// buildWAF compiles the real rampart-waf, statically as it ships, once per test binary.
func buildWAF(t *testing.T) string {
	t.Helper()
	builtWAF.once.Do(func() {
		if builtWAF.dir, builtWAF.err = os.MkdirTemp("", "ftw-bin"); builtWAF.err != nil {
			return
		}
		builtWAF.path = filepath.Join(builtWAF.dir, "rampart-waf")
		cmd := exec.Command("go", "build", "-o", builtWAF.path, "./cmd/rampart-waf")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			builtWAF.err = fmt.Errorf("go build ./cmd/rampart-waf: %v\n%s", err, out)
		}
	})
	if builtWAF.err != nil {
		t.Fatal(builtWAF.err)
	}
	return builtWAF.path
}

// TestEndToEnd runs a handful of corpus tests against the real binary: a request rule
// (942100), a malformed request line (400 from the server), a raw chunked request
// (encoded_request), a response rule through /reflect (951110) and a request that must
// log no rule at all (no_match_regex); and one made-up expectation that must fail, so a
// runner that passes everything would be caught.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts rampart-waf")
	}
	bin := buildWAF(t)
	tests, errs := loadCorpus(corpusDir(t))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := regexp.MustCompile(`^(942100-1|920100-1|920100-2|920171-2|951110-1|999999-1)$`)
	tests = selectTests(tests, want)
	if len(tests) != 6 {
		t.Fatalf("selected %d corpus tests, want 6", len(tests))
	}
	// A made-up test: a benign GET cannot log 942100.
	var impossible output
	impossible.Log.ExpectIDs = []int{942100}
	tests = append(tests, corpusTest{ID: "0-1", RuleFile: "made-up/0.yaml", Stages: []stage{{
		Input:  input{URI: ptr("/get?q=hello"), Headers: tests[0].Stages[0].Input.Headers},
		Output: impossible,
	}}})

	backend, err := startBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(backend.close)
	waf, err := startWAF(bin, backend.addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(waf.stop)

	r := &runner{waf: waf, timeout: 15 * time.Second, logWait: 10 * time.Second}
	results := r.runAll(tests, 4, nil)
	for _, res := range results {
		if res.test.ID == "0-1" {
			if res.outcome != failed || !strings.Contains(res.reason, "expected id 942100 missing") {
				t.Errorf("made-up test: %s %q, want failed with expected id 942100 missing", res.outcome, res.reason)
			}
			continue
		}
		if res.outcome != passed {
			t.Errorf("%s: %s: %s", res.test.ID, res.outcome, res.reason)
		}
	}
}

// TestRunWritesSummaryLast runs the program on two tests and checks its output contract:
// the summary as the last line and the results file.
func TestRunWritesSummaryLast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts rampart-waf")
	}
	bin := buildWAF(t)
	out := filepath.Join(t.TempDir(), "crs-regression.txt")
	var stdout, stderr strings.Builder
	code := run([]string{"-bin", bin, "-tests", corpusDir(t), "-filter", `^920100-[12]$`, "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^\d+ passed, \d+ failed$`).MatchString(last) {
		t.Errorf("last line %q is not the summary", last)
	}
	if !strings.Contains(stdout.String(), "REQUEST-920-PROTOCOL-ENFORCEMENT") {
		t.Errorf("no per-rule-file breakdown:\n%s", stdout.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "failing tests:") {
		t.Errorf("results file lacks the failing tests section:\n%s", data)
	}
}
