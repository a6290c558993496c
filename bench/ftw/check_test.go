package main

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	rules := []loggedRule{{ID: 942100, Message: "SQL Injection Attack Detected via libinjection", Severity: "CRITICAL", Target: "ARGS:x"}, {ID: 949110, Message: "Inbound Anomaly Score Exceeded (Total Score: 5)"}}
	withLog := func(o output) *output { return &o }
	expect := func(ids ...int) output { var o output; o.Log.ExpectIDs = ids; return o }
	noExpect := func(ids ...int) output { var o output; o.Log.NoExpectIDs = ids; return o }
	regex := func(match, noMatch string) output {
		var o output
		o.Log.MatchRegex, o.Log.NoMatchRegex = match, noMatch
		return o
	}
	cases := []struct {
		name string
		out  *output
		res  stageResult
		want string // substring of the joined reasons; "" means pass
	}{
		{"expected id logged", withLog(expect(942100)), stageResult{status: 200, rules: rules, logComplete: true}, ""},
		{"expected id missing", withLog(expect(941100)), stageResult{status: 200, rules: rules, logComplete: true}, "expected id 941100 missing (logged: 942100, 949110)"},
		{"nothing logged", withLog(expect(941100)), stageResult{status: 200, logComplete: true}, "(logged: none)"},
		{"unexpected id", withLog(noExpect(942100)), stageResult{status: 200, rules: rules}, "unexpected id 942100"},
		{"absent id", withLog(noExpect(920100)), stageResult{status: 200, rules: rules}, ""},
		{"status", &output{Status: 400}, stageResult{status: 200}, "status 200, want 400"},
		{"status ok", &output{Status: 400}, stageResult{status: 400}, ""},
		{"expected error", &output{ExpectError: ptr(true)}, stageResult{err: errors.New("EOF")}, ""},
		{"unexpected error", withLog(expect(1)), stageResult{err: errors.New("EOF")}, "no response: EOF"},
		{"match_regex", withLog(regex(`Inbound Anomaly Score Exceeded \(Total Score: `, "")), stageResult{rules: rules}, ""},
		{"match_regex on the target", withLog(regex(`found within ARGS:x`, "")), stageResult{rules: rules}, ""},
		{"matched values are not logged", withLog(regex(`found within ARGS:x: 1234`, "")), stageResult{rules: rules}, "does not match match_regex"},
		{"matched data, escaped as ModSecurity logs it", withLog(regex(`Matched Data:.*MAIL FROM:<a@b> found within ARGS:t:.*MAIL FROM:<a@b>`, "")),
			stageResult{rules: []loggedRule{{ID: 932300, Target: "ARGS:t", MatchedData: "Matched Data: \r\nMAIL FROM:<a@b> found within ARGS:t: \r\nMAIL FROM:<a@b>"}}}, ""},
		{"no_match_regex fails when any rule logged", withLog(regex("", `\[id "\d+"\]`)), stageResult{rules: rules}, "matches no_match_regex"},
		{"no_match_regex passes on a clean log", withLog(regex("", `\[id "\d+"\]`)), stageResult{}, ""},
		{"response_contains", &output{ResponseContains: "Hello"}, stageResult{rawResponse: []byte("HTTP/1.1 200 OK\r\n\r\nbye")}, `does not contain "Hello"`},
		{"incomplete log is reported", withLog(expect(1)), stageResult{requestID: "r1"}, "no access record for r1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(check(tc.out, &tc.res), "; ")
			if tc.want == "" && got != "" {
				t.Errorf("failed: %s", got)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("reasons %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLogIndex(t *testing.T) {
	x := newLogIndex()
	lines := `{"time":"t","level":"INFO","msg":"waf started","runtime":"waf"}
{"event":"security","request_id":"a","rule_ids":[920350,942100,949110],"rules":[{"id":920350,"message":"Host header is a numeric IP address"},{"id":942100,"message":"SQLi"}]}
{"event":"security","request_id":"b","rule_ids":[941100],"rules":[{"id":941100,"message":"XSS"}]}
{"event":"access","request_id":"a","status":200}
`
	x.follow(strings.NewReader(lines), nil)
	rules, complete := x.wait("a", 0)
	if !complete || len(ids(rules)) != 3 || ids(rules)[2] != 949110 {
		t.Errorf("a: rules %v complete %v; want 3 rules, ids beyond the capped list kept", rules, complete)
	}
	if rules, complete := x.wait("b", 0); complete || len(rules) != 1 {
		t.Errorf("b: rules %v complete %v; want 1 rule, incomplete (no access record)", rules, complete)
	}
	if !strings.Contains(x.recent(), "waf started") {
		t.Errorf("recent() = %q, want the non-event line", x.recent())
	}
}
