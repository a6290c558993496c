package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Outcomes of a test.
const (
	passed  = "passed"
	failed  = "failed"
	skipped = "skipped"
)

// testResult is the outcome of one corpus test.
type testResult struct {
	test    *corpusTest
	outcome string
	reason  string // why it failed or was skipped
}

// runner runs corpus tests against one WAF.
type runner struct {
	waf     *wafProcess
	timeout time.Duration // per request: connect, send and read the response
	logWait time.Duration // after the response, for the request's access record
}

// Bounds of a run.
const (
	overloadRetries = 3 // a 503 + Retry-After means the WAF shed load: not the test's fault
)

// runAll runs tests on workers goroutines and returns the results in the tests' order.
func (r *runner) runAll(tests []corpusTest, workers int, progress func(testResult)) []testResult {
	results := make([]testResult, len(tests))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.runTest(&tests[i])
				if progress != nil {
					progress(results[i])
				}
			}
		}()
	}
	for i := range tests {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// runTest runs the stages of t in order; the test passes when every stage does.
func (r *runner) runTest(t *corpusTest) testResult {
	if why := unsupported(t); why != "" {
		return testResult{test: t, outcome: skipped, reason: why}
	}
	for i := range t.Stages {
		st := &t.Stages[i]
		req, err := buildRequest(&st.Input)
		if err != nil {
			return testResult{test: t, outcome: failed, reason: fmt.Sprintf("stage %d: %v", i+1, err)}
		}
		reasons := r.runStage(req, &st.Output)
		if len(reasons) > 0 && st.Output.RetryOnce != nil && *st.Output.RetryOnce {
			reasons = r.runStage(req, &st.Output)
		}
		if len(reasons) > 0 {
			reason := strings.Join(reasons, "; ")
			if len(t.Stages) > 1 {
				reason = fmt.Sprintf("stage %d: %s", i+1, reason)
			}
			return testResult{test: t, outcome: failed, reason: reason}
		}
	}
	return testResult{test: t, outcome: passed}
}

func (r *runner) runStage(req wireRequest, out *output) []string {
	var res stageResult
	for attempt := 0; attempt <= overloadRetries; attempt++ {
		res = r.sendStage(req)
		if res.err != nil || res.status != 503 || out.Status == 503 || !shedLoad(res.rawResponse) {
			break
		}
	}
	return check(out, &res)
}

// shedLoad reports whether a 503 response is the WAF's overload answer (Retry-After).
func shedLoad(raw []byte) bool {
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	return strings.Contains(strings.ToLower(head), "\r\nretry-after:")
}

// unsupported names the go-ftw features a test uses that this runner does not implement;
// such tests are skipped, with that reason, rather than run differently.
func unsupported(t *corpusTest) string {
	for _, st := range t.Stages {
		in := &st.Input
		switch {
		case len(in.URIs) > 0:
			return "uses uris (one request per URI)"
		case in.FollowRedirect != nil && *in.FollowRedirect:
			return "uses follow_redirect"
		case in.SaveCookie != nil && *in.SaveCookie:
			return "uses save_cookie"
		case in.Protocol != nil && *in.Protocol != "http":
			return "uses protocol " + *in.Protocol
		case in.Response != nil:
			return "uses input.response (albedo-generated responses)"
		}
	}
	return ""
}
