package waf_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/events"
)

// securityEventOf returns the security event logged for request id.
func securityEventOf(t *testing.T, logs, id string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["event"] == "security" && l["request_id"] == id {
			return l
		}
	}
	t.Fatalf("no security event for %s:\n%s", id, logs)
	return nil
}

// TestMatchedDataInEvents: by default an event names where rules matched, never the
// values (which may be passwords); events.log_matched_data adds ModSecurity's "Matched
// Data: … found within …" text.
func TestMatchedDataInEvents(t *testing.T) {
	t.Setenv(events.SyslogAddressEnv, "")
	b := startBackend(t, "app")
	const target = "/?password=hunter2%3Cscript%3Ealert(1)%3C/script%3E"
	for _, tt := range []struct {
		name   string
		events *config.Events
		want   bool
	}{
		{"default", nil, false},
		{"log_matched_data", &config.Events{LogMatchedData: true}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := simpleConfig("block", b.address())
			cfg.Events = tt.events
			w := startWAF(t, cfg)
			resp := w.get(t, "", target)
			if resp.status != 403 {
				t.Fatalf("status %d, want 403", resp.status)
			}
			ev := securityEventOf(t, w.logs.String(), resp.header.Get("X-Request-Id"))
			var data []string
			for _, rule := range ev["rules"].([]any) {
				if d, ok := rule.(map[string]any)["matched_data"]; ok {
					data = append(data, d.(string))
				}
			}
			joined := strings.Join(data, "\n")
			if got := strings.Contains(joined, "hunter2"); got != tt.want {
				t.Errorf("values in the rules: %v, want %v: %q", got, tt.want, data)
			}
			if tt.want && !strings.Contains(joined, "found within ARGS:password: hunter2") {
				t.Errorf("no ModSecurity-style matched data in the rules: %q", data)
			}
		})
	}
}

// TestCorrelationRuleInEvents: with response inspection, the event is written after the
// logging phase, so it carries the Core Rule Set's correlation rule 980170.
func TestCorrelationRuleInEvents(t *testing.T) {
	t.Setenv(events.SyslogAddressEnv, "")
	b := startBackend(t, "app")
	cfg := simpleConfig("detect", b.address())
	cfg.Sites[0].Policy.ResponseInspection = true
	w := startWAF(t, cfg)
	resp := w.get(t, "", "/?q=%3Cscript%3Ealert(1)%3C/script%3E")
	if resp.status != 200 {
		t.Fatalf("status %d, want 200 (detect mode)", resp.status)
	}
	ev := securityEventOf(t, w.logs.String(), resp.header.Get("X-Request-Id"))
	ids, _ := json.Marshal(ev["rule_ids"])
	if !strings.Contains(string(ids), "980170") || !strings.Contains(string(ids), "941100") {
		t.Errorf("rule_ids %s, want 941100 and the correlation rule 980170", ids)
	}
}
