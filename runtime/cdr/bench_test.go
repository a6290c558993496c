package cdr

import (
	"net/netip"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// scanFrames is a SYN scan of 16 hosts × 64 ports with every probe reset, VXLAN-wrapped
// when mirrored is set: the shape of bench/cdr's 1-million-packet capture.
func scanFrames(mirrored bool) [][]byte {
	var frames [][]byte
	scanner := netip.MustParseAddr("10.7.0.66")
	for host := range 16 {
		target := netip.AddrFrom4([4]byte{10, 7, 1, byte(host + 1)})
		for port := range 64 {
			src := netip.AddrPortFrom(scanner, 40000+uint16(host))
			dst := netip.AddrPortFrom(target, uint16(port+1))
			for _, seg := range []synth.TCPSegment{{Src: src, Dst: dst, SYN: true, Window: 1024}, {Src: dst, Dst: src, RST: true, ACK: true}} {
				frame := synth.TCP(seg)
				if mirrored {
					frame = synth.VXLAN(netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2"), 50000, 77, frame)
				}
				frames = append(frames, frame)
			}
		}
	}
	return frames
}

// BenchmarkPipelineVXLANScan is one mirrored frame through decoding, the flow table and
// every detector (defaults), 1 µs of traffic time apart. Per-packet work must not allocate.
func BenchmarkPipelineVXLANScan(b *testing.B) {
	benchmarkPipeline(b, scanFrames(true))
}

func BenchmarkPipelinePlainScan(b *testing.B) {
	benchmarkPipeline(b, scanFrames(false))
}

func benchmarkPipeline(b *testing.B, frames [][]byte) {
	cfg := defaultConfig(&testing.T{}, nil)
	p, err := NewPipeline(cfg, func(findings.Finding) {})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// One pass first: flows and detector state reach their steady state.
	for _, f := range frames {
		p.Frame(decode.LinkEthernet, f, now)
	}
	var size int64
	for _, f := range frames {
		size += int64(len(f))
	}
	b.SetBytes(size / int64(len(frames)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		now = now.Add(time.Microsecond)
		p.Frame(decode.LinkEthernet, frames[i], now)
		p.Advance(now)
		if i++; i == len(frames) {
			i = 0
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}
