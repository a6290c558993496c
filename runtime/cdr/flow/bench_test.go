package flow

import (
	"net/netip"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// BenchmarkTableScanProbe is the flow table's share of a scan: a SYN creates a flow, the
// reset reports the attempt, the flow is ended after its linger. Must be 0 allocs/op.
func BenchmarkTableScanProbe(b *testing.B) {
	var packets []decode.Packet
	for port := range 1024 {
		src := netip.AddrPortFrom(scanner.Addr(), 40000)
		dst := netip.AddrPortFrom(server.Addr(), uint16(port+1))
		for _, seg := range []synth.TCPSegment{{Src: src, Dst: dst, SYN: true, Window: 1024}, {Src: dst, Dst: src, RST: true, ACK: true}} {
			var p decode.Packet
			(decode.Decoder{}).Ethernet(synth.TCP(seg), &p)
			packets = append(packets, p)
		}
	}
	table := NewTable(Options{}, nopSink{})
	now := t0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		now = now.Add(time.Microsecond)
		table.Packet(&packets[i], now)
		if i++; i == len(packets) {
			i = 0
			table.Expire(now.Add(DefaultAttemptTimeout))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}
