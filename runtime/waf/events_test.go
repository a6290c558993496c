package waf_test

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/events"
)

// TestSecurityEventsReachSyslogAndAccessLog checks the wiring of runtime/waf/events: a
// blocked request is sent to a real UDP syslog receiver, and every request gets an access
// record, written after the request's security event.
func TestSecurityEventsReachSyslogAndAccessLog(t *testing.T) {
	t.Setenv(events.SyslogAddressEnv, "")
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })

	b := startBackend(t, "app")
	cfg := simpleConfig("block", b.address())
	cfg.Events = &config.Events{Syslog: "udp://" + pc.LocalAddr().String(), AccessLog: true}
	w := startWAF(t, cfg)

	blocked := w.get(t, "", "/?q=%3Cscript%3Ealert(1)%3C/script%3E")
	if blocked.status != 403 {
		t.Fatalf("status %d, want 403", blocked.status)
	}
	id := blocked.header.Get("X-Request-Id")

	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 65536)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no syslog message: %v", err)
	}
	msg := string(buf[:n])
	for _, want := range []string{">1 ", " rampart-waf ", ` request_id="` + id + `"`, ` action="blocked"`, `"event":"security"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("syslog message lacks %q:\n%s", want, msg)
		}
	}

	// The sender counts a message once its write returned, which may follow the receipt.
	waitFor(t, "/metrics to count 1 syslog message sent", func() bool {
		metrics := do(t, mustRequest(t, "GET", w.adminURL+"/metrics"))
		return strings.Contains(metrics.body, `rampart_waf_syslog_messages_total{result="sent"} 1`)
	})

	passed := w.get(t, "", "/index.html")
	if passed.status != 200 {
		t.Fatalf("status %d, want 200", passed.status)
	}
	var order []string
	var access map[string]any
	for _, line := range strings.Split(w.logs.String(), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		if l["request_id"] == id {
			order = append(order, l["event"].(string))
		}
		if l["event"] == "access" && l["request_id"] == passed.header.Get("X-Request-Id") {
			access = l
		}
	}
	if strings.Join(order, ",") != "security,access" {
		t.Errorf("log lines of the blocked request: %v, want security then access", order)
	}
	if access == nil {
		t.Fatalf("no access record for the passed request:\n%s", w.logs)
	}
	for k, v := range map[string]any{"status": 200.0, "bytes": 3.0, "site": "main", "upstream": b.address(), "method": "GET", "uri": "/index.html"} {
		if access[k] != v {
			t.Errorf("access record %s = %v, want %v", k, access[k], v)
		}
	}
}
