package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// loggedRule is one rule of a security event, as rampart-waf logs it.
type loggedRule struct {
	ID       int    `json:"id"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
	Target   string `json:"target"`
	// MatchedData is the rule's log data (events.log_matched_data).
	MatchedData string `json:"matched_data"`
}

// logLine is the part of a rampart-waf log line the runner reads: security events
// ("event":"security") and access records ("event":"access").
type logLine struct {
	Event     string       `json:"event"`
	RequestID string       `json:"request_id"`
	RuleIDs   []int        `json:"rule_ids"`
	Rules     []loggedRule `json:"rules"`
	Level     string       `json:"level"`
	Msg       string       `json:"msg"`
	Error     string       `json:"error"`
}

// requestLog gathers what the WAF logged about one request. The access record is written
// last, after every security event of the request, so once it is seen the request's log
// is complete.
type requestLog struct {
	rules    []loggedRule
	complete chan struct{} // closed at the access record
}

// logIndex reads the WAF's log as it is written and files it by request id.
type logIndex struct {
	mu       sync.Mutex
	requests map[string]*requestLog
	other    []string // recent lines that are neither events nor access records
}

func newLogIndex() *logIndex {
	return &logIndex{requests: map[string]*requestLog{}}
}

// follow reads r (the WAF's stderr) line by line until it ends. echo, when not nil, gets
// every line that is not an event or access record (-v).
func (x *logIndex) follow(r io.Reader, echo io.Writer) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			x.add(line, echo)
		}
		if err != nil {
			return
		}
	}
}

func (x *logIndex) add(line []byte, echo io.Writer) {
	var l logLine
	if err := json.Unmarshal(line, &l); err != nil || l.RequestID == "" || (l.Event != "security" && l.Event != "access") {
		x.mu.Lock()
		x.other = append(x.other, strings.TrimSpace(string(line)))
		if len(x.other) > 50 {
			x.other = x.other[1:]
		}
		x.mu.Unlock()
		if echo != nil {
			_, _ = echo.Write(line)
		}
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	req := x.entry(l.RequestID)
	switch l.Event {
	case "security":
		rules := l.Rules
		// rule_ids is complete; rules may be capped: keep every id.
		if len(l.RuleIDs) > len(rules) {
			for _, id := range l.RuleIDs[len(rules):] {
				rules = append(rules, loggedRule{ID: id})
			}
		}
		req.rules = append(req.rules, rules...)
	case "access":
		select {
		case <-req.complete:
		default:
			close(req.complete)
		}
	}
}

// entry returns the log of request id, creating it. x.mu must be held.
func (x *logIndex) entry(id string) *requestLog {
	req := x.requests[id]
	if req == nil {
		req = &requestLog{complete: make(chan struct{})}
		x.requests[id] = req
	}
	return req
}

// wait returns the rules logged for request id once its access record is seen, or what
// was logged when timeout passes (complete false). The entry is forgotten.
func (x *logIndex) wait(id string, timeout time.Duration) (rules []loggedRule, complete bool) {
	x.mu.Lock()
	req := x.entry(id)
	x.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-req.complete:
	case <-timer.C:
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.requests, id)
	select {
	case <-req.complete: // also when the timer fired at the same moment
		complete = true
	default:
	}
	return req.rules, complete
}

// recent returns the last lines that were not events, for error messages.
func (x *logIndex) recent() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return strings.Join(x.other, "\n")
}

// renderModSecurityStyle writes rules the way ModSecurity's error log does, so the
// corpus's match_regex (written for that log, e.g. `\[id "\d+"\]`) applies. The data
// field is the rule's log data, which rampart-waf logs only with events.log_matched_data
// (the runner turns it on); without it, the CRS logdata shape with the values elided.
func renderModSecurityStyle(rules []loggedRule) string {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "[id \"%d\"] [msg \"%s\"]", r.ID, r.Message)
		switch {
		case r.MatchedData != "":
			fmt.Fprintf(&b, " [data \"%s\"]", logEscape(r.MatchedData))
		case r.Target != "":
			fmt.Fprintf(&b, " [data \"Matched Data: … found within %s: …\"]", r.Target)
		}
		if r.Severity != "" {
			fmt.Fprintf(&b, " [severity \"%s\"]", r.Severity)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// logEscape escapes a value as ModSecurity does in its error log: quotes and backslashes
// with a backslash, bytes outside printable ASCII (CR, LF, NUL, UTF-8) as \xHH, so that
// one record stays on one line and the corpus's `.*` spans the whole value.
func logEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
