package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// stageResult is what happened to one request: the response (or the error instead) and
// the rules the WAF logged for it.
type stageResult struct {
	status      int
	rawResponse []byte // status line, headers and body, for response_contains
	err         error  // no (parsable) response
	requestID   string
	rules       []loggedRule
	logComplete bool // the access record was seen
}

// sendStage sends the request raw over a new TCP connection and reads the response and
// the WAF's log of it.
func (r *runner) sendStage(req wireRequest) stageResult {
	var res stageResult
	conn, err := net.DialTimeout("tcp", r.waf.addr, r.timeout)
	if err != nil {
		res.err = fmt.Errorf("connect: %w", err)
		return res
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(r.timeout))
	if _, err := conn.Write(req.bytes); err != nil {
		res.err = fmt.Errorf("send: %w", err)
		return res
	}
	var raw bytes.Buffer
	br := bufio.NewReader(io.TeeReader(conn, &raw))
	resp, err := http.ReadResponse(br, &http.Request{Method: req.method})
	// An interim response (100 Continue) precedes the real one.
	for interim := 0; err == nil && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols && interim < 5; interim++ {
		resp, err = http.ReadResponse(br, &http.Request{Method: req.method})
	}
	if err != nil {
		res.err = fmt.Errorf("read response: %w", err)
		return res
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	if err != nil {
		res.err = fmt.Errorf("read response body: %w", err)
	}
	res.status = resp.StatusCode
	res.rawResponse = raw.Bytes()
	res.requestID = resp.Header.Get("X-Request-Id")
	if res.requestID != "" {
		res.rules, res.logComplete = r.waf.logs.wait(res.requestID, r.logWait)
	}
	return res
}

// check compares a stage's result with its expected output, like go-ftw: an expected
// error passes on any error; otherwise status, response text, then log expectations.
// It returns the reasons of failure, none when the stage passed.
func check(out *output, res *stageResult) []string {
	if out.ExpectError != nil && *out.ExpectError && res.err != nil {
		return nil
	}
	if res.err != nil {
		return []string{"no response: " + res.err.Error()}
	}
	var reasons []string
	if out.Status != 0 && res.status != out.Status {
		reasons = append(reasons, fmt.Sprintf("status %d, want %d", res.status, out.Status))
	}
	if out.ResponseContains != "" && !bytes.Contains(res.rawResponse, []byte(out.ResponseContains)) {
		reasons = append(reasons, fmt.Sprintf("response does not contain %q", out.ResponseContains))
	}
	logged := ids(res.rules)
	for _, id := range out.Log.ExpectIDs {
		if !slices.Contains(logged, id) {
			reasons = append(reasons, fmt.Sprintf("expected id %d missing (logged: %s)", id, idList(logged)))
		}
	}
	for _, id := range out.Log.NoExpectIDs {
		if slices.Contains(logged, id) {
			reasons = append(reasons, fmt.Sprintf("unexpected id %d", id))
		}
	}
	if out.Isolated {
		for _, id := range logged {
			if !slices.Contains(out.Log.ExpectIDs, id) {
				reasons = append(reasons, fmt.Sprintf("isolated test, but id %d also matched", id))
			}
		}
	}
	text := renderModSecurityStyle(res.rules)
	for _, m := range []struct {
		expr string
		want bool
		what string
	}{
		{out.Log.MatchRegex, true, "match_regex"},
		{out.Log.NoMatchRegex, false, "no_match_regex"},
		{out.LogContains, true, "log_contains"},
		{out.NoLogContains, false, "no_log_contains"},
	} {
		if m.expr == "" {
			continue
		}
		re, err := regexp.Compile(m.expr)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("%s %q does not compile: %v", m.what, m.expr, err))
			continue
		}
		if re.MatchString(text) != m.want {
			verb := "does not match"
			if !m.want {
				verb = "matches"
			}
			reasons = append(reasons, fmt.Sprintf("log %s %s %q (logged: %s)", verb, m.what, m.expr, idList(logged)))
		}
	}
	if len(reasons) > 0 && res.requestID != "" && !res.logComplete {
		reasons = append(reasons, "(no access record for "+res.requestID+": the log may be incomplete)")
	}
	return reasons
}

func ids(rules []loggedRule) []int {
	var out []int
	for _, r := range rules {
		if !slices.Contains(out, r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

func idList(ids []int) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ", ")
}
