package events

import (
	"io"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// BenchmarkSecurity is the cost a blocked request pays for its event (log line only).
func BenchmarkSecurity(b *testing.B) {
	e, err := New(nil, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	ev := sampleEvent("bench")
	b.ReportAllocs()
	for b.Loop() {
		e.Security(ev)
	}
}

// BenchmarkSecuritySyslog adds formatting and queueing for syslog (UDP receiver).
func BenchmarkSecuritySyslog(b *testing.B) {
	pcAddr := startBenchUDP(b)
	e, err := New(&config.Events{Syslog: "udp://" + pcAddr}, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ev := sampleEvent("bench")
	b.ReportAllocs()
	for b.Loop() {
		e.Security(ev)
	}
}

// BenchmarkAccess is the per-request cost of the access log.
func BenchmarkAccess(b *testing.B) {
	e, err := New(&config.Events{AccessLog: true}, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	rec := AccessRecord{Site: "shop", Client: "192.0.2.7", Method: "GET", URI: "/index.html?a=1", Status: 200, Bytes: 1024, RequestID: "x-1"}
	b.ReportAllocs()
	for b.Loop() {
		e.Access(rec)
	}
}
