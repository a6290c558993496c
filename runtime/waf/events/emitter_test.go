package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// TestSecurityLine checks the log line: one JSON object per line, "event":"security" and
// a flat "rule_ids" list greppable as text, every field of the issue present.
func TestSecurityLine(t *testing.T) {
	var out bytes.Buffer
	e, err := New(nil, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Security(sampleEvent("abc-1"))
	line := out.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("want exactly one line, got %q", line)
	}
	for _, want := range []string{`"event":"security"`, `"rule_ids":[942100,949110]`, `"uri":"/search?q=1' union select"`} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s:\n%s", want, line)
		}
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"time": "2026-11-21T23:00:00.123456Z", "level": "WARN", "msg": "security event", "runtime": "waf",
		"event": "security", "action": "blocked", "request_id": "abc-1", "site": "shop", "client_ip": "192.0.2.7",
		"method": "GET", "uri": "/search?q=1' union select", "status": float64(403),
		"inbound_anomaly_score": float64(10), "outbound_anomaly_score": float64(0),
		"rule_ids": []any{float64(942100), float64(949110)},
		"rules": []any{
			map[string]any{"id": float64(942100), "message": "SQL Injection Attack Detected via libinjection", "severity": "CRITICAL", "target": "ARGS:q"},
			map[string]any{"id": float64(949110), "message": `Inbound "Anomaly" Score ]Exceeded\`},
		},
	}
	if len(got) != len(want) {
		t.Errorf("fields = %v, want exactly %v", keys(got), keys(want))
	}
	for k, v := range want {
		if gv, _ := json.Marshal(got[k]); string(gv) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, gv, mustJSON(t, v))
		}
	}
}

func TestSecurityLineBounds(t *testing.T) {
	ev := sampleEvent("big")
	ev.URI = "/" + strings.Repeat("é", MaxURIBytes) // 2-byte runes: the cut must not split one
	ev.Rules = nil
	for i := range MaxRules + 10 {
		ev.Rules = append(ev.Rules, RuleMatch{ID: 900000 + i, Message: strings.Repeat("m", 1000)})
	}
	var buf bytes.Buffer
	if err := encodeSecurity(&buf, &ev, false); err != nil {
		t.Fatal(err)
	}
	var line securityLine
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if len(line.URI) > MaxURIBytes || strings.ContainsRune(line.URI, '\uFFFD') {
		t.Errorf("uri is %d bytes (max %d) or has a split rune", len(line.URI), MaxURIBytes)
	}
	if len(line.RuleIDs) != MaxRules+10 || len(line.Rules) != MaxRules {
		t.Errorf("rule_ids %d, rules %d; want every id and %d messages", len(line.RuleIDs), len(line.Rules), MaxRules)
	}
	if len(line.Rules[0].Message) != MaxMessageBytes {
		t.Errorf("message is %d bytes, want %d", len(line.Rules[0].Message), MaxMessageBytes)
	}
}

func TestAccessLog(t *testing.T) {
	rec := AccessRecord{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Site: "shop", Client: "192.0.2.7", Method: "POST",
		URI: "/cart", Status: 201, Bytes: 512, Duration: 1500 * time.Microsecond, Upstream: "10.0.0.5:8080", RequestID: "r-9",
	}
	cases := []struct {
		name string
		cfg  *config.Events
		want string
	}{
		{"off by default", nil, ""},
		{"off", &config.Events{}, ""},
		{"on", &config.Events{AccessLog: true},
			`{"time":"2026-01-02T03:04:05Z","level":"INFO","msg":"access","runtime":"waf","event":"access","request_id":"r-9","site":"shop","client":"192.0.2.7","method":"POST","uri":"/cart","status":201,"bytes":512,"duration_ms":1.5,"upstream":"10.0.0.5:8080"}` + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			e, err := New(tc.cfg, &out, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.Access(rec)
			if out.String() != tc.want {
				t.Errorf("got  %s\nwant %s", out.String(), tc.want)
			}
		})
	}
}

// TestConcurrentLinesStayWhole emits from many goroutines: every line must parse alone.
func TestConcurrentLinesStayWhole(t *testing.T) {
	var out bytes.Buffer
	e, err := New(&config.Events{AccessLog: true}, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if (g+i)%2 == 0 {
					e.Security(sampleEvent("c"))
				} else {
					e.Access(AccessRecord{RequestID: "c", URI: strings.Repeat("x", 3000)})
				}
			}
		}()
	}
	wg.Wait()
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d does not parse: %v", n, err)
		}
		n++
	}
	if n != 800 {
		t.Errorf("got %d lines, want 800", n)
	}
}

func TestNilEmitterDiscards(t *testing.T) {
	var e *Emitter
	e.Security(sampleEvent("x"))
	e.Access(AccessRecord{})
	e.Close()
	if e.Stats() != (Stats{}) || e.AccessLogEnabled() {
		t.Error("a nil Emitter must do nothing")
	}
}

func TestBadSyslogAddress(t *testing.T) {
	t.Setenv(SyslogAddressEnv, "")
	for _, addr := range []string{"syslog.example:514", "http://x:1", "tls://", "udp://h:514?ca_file=x", "tcp://h:514/path"} {
		if _, err := New(&config.Events{Syslog: addr}, &bytes.Buffer{}, nil); err == nil {
			t.Errorf("%q accepted", addr)
		}
		c := config.Config{Events: &config.Events{Syslog: addr}}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "events.syslog") {
			t.Errorf("config.Validate(%q) = %v, want an events.syslog error", addr, err)
		}
	}
}

func TestSyslogAddressFromEnvironment(t *testing.T) {
	r := startUDPReceiver(t)
	t.Setenv(SyslogAddressEnv, "udp://"+r.addr)
	e, err := New(&config.Events{Syslog: "udp://192.0.2.1:514"}, &bytes.Buffer{}, nil) // overridden
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Security(sampleEvent("env"))
	if m, err := parseRFC5424(r.next(t)); err != nil || m.params["request_id"] != "env" {
		t.Fatalf("got %+v, %v", m, err)
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
