package events

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"
)

// securityLine is the JSON shape of a security event. The first four fields match the
// runtime's slog lines (logging.New) so one parser reads the whole log; rule_ids is a flat
// list so `grep '"rule_ids":\[.*942100'` finds the requests a rule matched.
type securityLine struct {
	Time          string      `json:"time"`
	Level         string      `json:"level"`
	Msg           string      `json:"msg"`
	Runtime       string      `json:"runtime"`
	Event         string      `json:"event"`
	Action        string      `json:"action"`
	RequestID     string      `json:"request_id"`
	Site          string      `json:"site"`
	ClientIP      string      `json:"client_ip"`
	Method        string      `json:"method"`
	URI           string      `json:"uri"`
	Status        int         `json:"status"`
	RuleIDs       []int       `json:"rule_ids"`
	Rules         []RuleMatch `json:"rules"`
	InboundScore  int         `json:"inbound_anomaly_score"`
	OutboundScore int         `json:"outbound_anomaly_score"`
}

// accessLine is the JSON shape of an access record.
type accessLine struct {
	Time       string  `json:"time"`
	Level      string  `json:"level"`
	Msg        string  `json:"msg"`
	Runtime    string  `json:"runtime"`
	Event      string  `json:"event"`
	RequestID  string  `json:"request_id"`
	Site       string  `json:"site"`
	Client     string  `json:"client"`
	Method     string  `json:"method"`
	URI        string  `json:"uri"`
	Status     int     `json:"status"`
	Bytes      int64   `json:"bytes"`
	DurationMS float64 `json:"duration_ms"`
	Upstream   string  `json:"upstream"`
}

// encodeSecurity appends ev as one JSON line (with its newline) to buf. The rules'
// matched data is written only when withMatchedData is set.
func encodeSecurity(buf *bytes.Buffer, ev *Event, withMatchedData bool) error {
	line := securityLine{
		Time:          timestamp(ev.Time),
		Level:         "WARN",
		Msg:           "security event",
		Runtime:       "waf",
		Event:         "security",
		Action:        ev.Action,
		RequestID:     ev.RequestID,
		Site:          ev.Site,
		ClientIP:      ev.ClientIP,
		Method:        truncate(ev.Method, 64),
		URI:           truncate(ev.URI, MaxURIBytes),
		Status:        ev.Status,
		RuleIDs:       make([]int, len(ev.Rules)),
		Rules:         make([]RuleMatch, 0, min(len(ev.Rules), MaxRules)),
		InboundScore:  ev.InboundScore,
		OutboundScore: ev.OutboundScore,
	}
	for i, r := range ev.Rules {
		line.RuleIDs[i] = r.ID
		if i < MaxRules {
			r.Message = truncate(r.Message, MaxMessageBytes)
			r.Target = truncate(r.Target, MaxTargetBytes)
			r.MatchedData = ""
			if withMatchedData {
				r.MatchedData = truncate(ev.Rules[i].MatchedData, MaxMatchedDataBytes)
			}
			line.Rules = append(line.Rules, r)
		}
	}
	return encodeLine(buf, &line)
}

// encodeAccess appends rec as one JSON line (with its newline) to buf.
func encodeAccess(buf *bytes.Buffer, rec *AccessRecord) error {
	line := accessLine{
		Time:       timestamp(rec.Time),
		Level:      "INFO",
		Msg:        "access",
		Runtime:    "waf",
		Event:      "access",
		RequestID:  rec.RequestID,
		Site:       rec.Site,
		Client:     rec.Client,
		Method:     truncate(rec.Method, 64),
		URI:        truncate(rec.URI, MaxURIBytes),
		Status:     rec.Status,
		Bytes:      rec.Bytes,
		DurationMS: float64(rec.Duration.Microseconds()) / 1000,
		Upstream:   rec.Upstream,
	}
	return encodeLine(buf, &line)
}

func encodeLine(buf *bytes.Buffer, line any) error {
	enc := json.NewEncoder(buf)
	// Attack payloads stay readable (<script> rather than \u003cscript\u003e); the output
	// is still valid JSON.
	enc.SetEscapeHTML(false)
	return enc.Encode(line) // Encode ends the line with '\n'
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
