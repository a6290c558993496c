package events

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func sampleEvent(requestID string) Event {
	return Event{
		Time:         time.Date(2026, 11, 21, 23, 0, 0, 123456000, time.UTC),
		Site:         "shop",
		ClientIP:     "192.0.2.7",
		Method:       "GET",
		URI:          "/search?q=1' union select",
		Rules:        []RuleMatch{{ID: 942100, Message: "SQL Injection Attack Detected via libinjection", Severity: "CRITICAL", Target: "ARGS:q"}, {ID: 949110, Message: `Inbound "Anomaly" Score ]Exceeded\`}},
		Action:       ActionBlocked,
		RequestID:    requestID,
		Status:       403,
		InboundScore: 10,
	}
}

// TestSyslogTransports sends events to a real receiver over each transport and checks
// every field of the RFC 5424 frame.
func TestSyslogTransports(t *testing.T) {
	hostname, _ := os.Hostname()
	cases := []struct {
		name  string
		start func(t *testing.T) (*receiver, string) // the receiver and its events.syslog address
	}{
		{"udp", func(t *testing.T) (*receiver, string) { r := startUDPReceiver(t); return r, "udp://" + r.addr }},
		{"tcp", func(t *testing.T) (*receiver, string) { r := startTCPReceiver(t); return r, "tcp://" + r.addr }},
		{"tls", func(t *testing.T) (*receiver, string) {
			r, caFile := startTLSReceiver(t)
			return r, "tls://" + r.addr + "?ca_file=" + caFile
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, addr := tc.start(t)
			e, err := New(&config.Events{Syslog: addr}, io.Discard, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Close)

			for i := range 3 {
				e.Security(sampleEvent(fmt.Sprint("req-", i)))
			}
			for i := range 3 {
				raw := r.next(t)
				m, err := parseRFC5424(raw)
				if err != nil {
					t.Fatalf("message %d does not parse as RFC 5424: %v", i, err)
				}
				if m.pri != FacilityLocal0*8+4 {
					t.Errorf("PRI = %d, want %d (local0.warning for a blocked request)", m.pri, FacilityLocal0*8+4)
				}
				if m.version != 1 {
					t.Errorf("VERSION = %d, want 1", m.version)
				}
				if !m.timestamp.Equal(sampleEvent("").Time) {
					t.Errorf("TIMESTAMP = %v, want %v", m.timestamp, sampleEvent("").Time)
				}
				if m.hostname != headerField(hostname, 255) {
					t.Errorf("HOSTNAME = %q, want %q", m.hostname, hostname)
				}
				if m.appName != "rampart-waf" || m.procID != strconv.Itoa(os.Getpid()) || m.msgID != "security" {
					t.Errorf("APP-NAME PROCID MSGID = %q %q %q", m.appName, m.procID, m.msgID)
				}
				if m.sdID != "rampart@32473" {
					t.Errorf("SD-ID = %q", m.sdID)
				}
				want := map[string]string{"request_id": fmt.Sprint("req-", i), "rule_ids": "942100,949110", "action": "blocked",
					"site": "shop", "client_ip": "192.0.2.7", "status": "403", "inbound_anomaly_score": "10"}
				for k, v := range want {
					if m.params[k] != v {
						t.Errorf("SD param %s = %q, want %q", k, m.params[k], v)
					}
				}
				var line securityLine
				if err := json.Unmarshal([]byte(m.msg), &line); err != nil {
					t.Fatalf("MSG is not the JSON event: %v\n%s", err, m.msg)
				}
				if line.RequestID != fmt.Sprint("req-", i) || line.Rules[1].Message != sampleEvent("").Rules[1].Message {
					t.Errorf("MSG = %+v", line)
				}
			}
			e.Close()
			if st := e.Stats(); st.Sent != 3 || st.Dropped != 0 {
				t.Errorf("Stats = %+v, want 3 sent, 0 dropped", st)
			}
		})
	}
}

// TestSyslogStalledServerDropsInsteadOfBlocking points the emitter at a TCP server that
// accepts and never reads. Security must keep returning (the queue drops) however many
// events are emitted.
func TestSyslogStalledServerDropsInsteadOfBlocking(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c // held open, never read
		}
	}()
	t.Cleanup(func() {
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	})

	settings := defaultSenderSettings
	settings.queueSize = 16
	settings.drainTimeout = 100 * time.Millisecond
	settings.writeTimeout = 200 * time.Millisecond
	e, err := newEmitter(&config.Events{Syslog: "tcp://" + ln.Addr().String()}, io.Discard, nil, settings)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	// 50,000 events of ~1 KB exceed any loopback socket buffer, so the sender stalls in
	// a write; every call must still return.
	const events = 50000
	ev := sampleEvent("stall")
	ev.URI = "/" + string(make([]byte, 900))
	finished := make(chan struct{})
	go func() {
		for range events {
			e.Security(ev)
		}
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(60 * time.Second): // a bound, not a timing: blocking would hang forever
		t.Fatal("Security blocked behind a stalled syslog server")
	}
	st := e.Stats()
	if st.Dropped == 0 {
		t.Fatalf("Stats = %+v: a stalled server and a 16-message queue must drop", st)
	}
	if st.Sent+st.Dropped+uint64(st.Queued) > events {
		t.Errorf("Stats = %+v count more than the %d events emitted", st, events)
	}
}

// TestSyslogTCPReconnects restarts the syslog server on the same port: the emitter
// reconnects (after its backoff) and delivers again.
func TestSyslogTCPReconnects(t *testing.T) {
	port := freeport.Port(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	first := startStreamReceiver(t, ln)

	settings := defaultSenderSettings
	settings.minBackoff = 10 * time.Millisecond
	settings.maxBackoff = 50 * time.Millisecond
	e, err := newEmitter(&config.Events{Syslog: "tcp://" + addr}, io.Discard, nil, settings)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Security(sampleEvent("before"))
	if m, _ := parseRFC5424(first.next(t)); m.params["request_id"] != "before" {
		t.Fatalf("first server got %+v", m)
	}

	first.stop() // the server goes down: listener and connection closed

	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("restart the server on %s: %v", addr, err)
	}
	second := startStreamReceiver(t, ln2)

	// Emit until the restarted server receives one: the first attempts may hit the old,
	// closed connection or the backoff. Bounded in count and time.
	for i := range 200 {
		e.Security(sampleEvent(fmt.Sprint("after-", i)))
		select {
		case raw := <-second.msgs:
			m, err := parseRFC5424(raw)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("reconnected after %d events, got %s", i+1, m.params["request_id"])
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no event reached the restarted server; stats %+v", e.Stats())
}
