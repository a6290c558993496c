package decode_test

import (
	"net/netip"
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

func seedFrames() [][]byte {
	syn := synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Options: synth.TCPOptions})
	data := synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte("hello")})
	v6 := synth.UDP(netip.MustParseAddrPort("[2001:db8::1]:1000"), netip.MustParseAddrPort("[2001:db8::2]:53"), []byte("q"))
	return [][]byte{syn, data, v6, data[:30], {}, {0x08, 0, 0, 0}}
}

// checkInvariants holds for any input: the decoder never reads past the frame (a panic
// would fail the fuzzer) and what it reports is self-consistent.
func checkInvariants(t *testing.T, st decode.Status, p *decode.Packet, input []byte) {
	if st == decode.Truncated && p.Layers&decode.LayerIP != 0 && !p.Truncated {
		t.Fatalf("truncated status without the Truncated mark: %+v", p)
	}
	if p.Layers&decode.LayerTransport != 0 && p.Layers&decode.LayerIP == 0 {
		t.Fatalf("transport layer without IP layer: %+v", p)
	}
	if len(p.Payload) > len(input) {
		t.Fatalf("payload of %d bytes from an input of %d", len(p.Payload), len(input))
	}
}

func FuzzDecodeEthernet(f *testing.F) {
	for _, frame := range seedFrames() {
		f.Add(frame)
	}
	dec := decode.Decoder{VXLANPort: decode.DefaultVXLANPort}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var p decode.Packet
		st := dec.Ethernet(frame, &p)
		checkInvariants(t, st, &p, frame)
	})
}

func FuzzDecodeVXLAN(f *testing.F) {
	for _, frame := range seedFrames() {
		f.Add(synth.VXLANPayload(5569041, frame))
	}
	f.Add([]byte{0x08, 0, 0, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var p decode.Packet
		st := decode.Decoder{}.VXLAN(payload, &p)
		checkInvariants(t, st, &p, payload)
		if len(payload) >= 8 && payload[0]&0x08 != 0 && p.Layers&decode.LayerVXLAN == 0 {
			t.Fatalf("valid VXLAN header not marked: %x", payload[:8])
		}
	})
}

func FuzzDecodeIP(f *testing.F) {
	for _, frame := range seedFrames() {
		if len(frame) > 14 {
			f.Add(frame[14:])
		}
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		var p decode.Packet
		st := decode.Decoder{}.Frame(decode.LinkRaw, pkt, &p)
		checkInvariants(t, st, &p, pkt)
	})
}
