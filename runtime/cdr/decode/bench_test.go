package decode_test

import (
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// BenchmarkDecodeVXLAN is the per-datagram cost of the UDP ingest path; it must report
// 0 allocs/op.
func BenchmarkDecodeVXLAN(b *testing.B) {
	payload := synth.VXLANPayload(5569041, synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Window: 1024}))
	var p decode.Packet
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		decode.Decoder{}.VXLAN(payload, &p)
	}
}

// BenchmarkDecodeMirroredFrame decodes a whole mirrored frame (outer headers too), as
// when reading a capture of the mirror traffic.
func BenchmarkDecodeMirroredFrame(b *testing.B) {
	frame := synth.VXLAN(mirror, sensor, 50000, 5569041, synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Options: synth.TCPOptions}))
	dec := decode.Decoder{VXLANPort: decode.DefaultVXLANPort}
	var p decode.Packet
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		dec.Ethernet(frame, &p)
	}
}

func TestDecodeAllocatesNothing(t *testing.T) {
	frame := synth.VXLAN(mirror, sensor, 50000, 5569041, synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Options: synth.TCPOptions}))
	dec := decode.Decoder{VXLANPort: decode.DefaultVXLANPort}
	var p decode.Packet
	if n := testing.AllocsPerRun(100, func() { dec.Ethernet(frame, &p) }); n != 0 {
		t.Fatalf("decoding a frame allocates %v times, want 0", n)
	}
}
