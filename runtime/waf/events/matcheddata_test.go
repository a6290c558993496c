package events

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// TestMatchedDataIsOptIn: a rule's matched data is request content; the default log never
// carries it, events.log_matched_data writes it, bounded.
func TestMatchedDataIsOptIn(t *testing.T) {
	const secret = "Matched Data: hunter2 found within ARGS:password: hunter2"
	ev := sampleEvent("data-1")
	ev.Rules[0].MatchedData = secret
	ev.Rules[1].MatchedData = strings.Repeat("x", 2*MaxMatchedDataBytes)

	for _, tt := range []struct {
		name string
		cfg  *config.Events
		want bool
	}{
		{"default", nil, false},
		{"access log only", &config.Events{AccessLog: true}, false},
		{"log_matched_data", &config.Events{LogMatchedData: true}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e, err := New(tt.cfg, &out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e.MatchedDataEnabled() != tt.want {
				t.Errorf("MatchedDataEnabled() = %v, want %v", e.MatchedDataEnabled(), tt.want)
			}
			e.Security(ev)
			if got := strings.Contains(out.String(), "hunter2"); got != tt.want {
				t.Fatalf("value in the log: %v, want %v:\n%s", got, tt.want, out.String())
			}
			if !tt.want {
				if strings.Contains(out.String(), "matched_data") {
					t.Errorf("default event has a matched_data field:\n%s", out.String())
				}
				return
			}
			var line securityLine
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			if line.Rules[0].MatchedData != secret {
				t.Errorf("matched_data %q, want %q", line.Rules[0].MatchedData, secret)
			}
			if n := len(line.Rules[1].MatchedData); n != MaxMatchedDataBytes {
				t.Errorf("matched_data is %d bytes, want the bound %d", n, MaxMatchedDataBytes)
			}
		})
	}
}
