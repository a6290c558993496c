package cdr

import (
	"net/netip"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// FuzzPipelineFrame feeds arbitrary frames through decoding, the flow table and every
// detector: nothing may panic, and every frame is counted exactly once.
func FuzzPipelineFrame(f *testing.F) {
	client := netip.MustParseAddrPort("10.0.0.5:40000")
	server := netip.MustParseAddrPort("10.0.0.9:80")
	f.Add(synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true}), false)
	f.Add(synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}), false)
	f.Add(synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte(`{"method":"mining.subscribe"}`)}), false)
	f.Add(synth.UDP(client, netip.MustParseAddrPort("10.0.0.2:53"), []byte{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1}), false)
	f.Add(synth.VXLANPayload(77, synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true})), true)
	f.Add([]byte{0x08, 0, 0, 0, 0, 0, 0x4d, 0}, true)
	cfg := defaultConfig(&testing.T{}, nil)
	f.Fuzz(func(t *testing.T, frame []byte, vxlan bool) {
		p, err := NewPipeline(cfg, func(findings.Finding) {})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 3 { // the same frame thrice: new flow, then existing flow
			if vxlan {
				p.VXLAN(frame, now)
			} else {
				p.Frame(decode.LinkEthernet, frame, now)
			}
			now = now.Add(time.Duration(i+1) * time.Minute)
			p.Advance(now)
		}
		p.Finish(now)
		c := p.Counters()
		if c.Packets != 3 || c.Decoded+c.Truncated+c.Malformed+c.NotIP != 3 {
			t.Fatalf("counts %+v for 3 frames", c)
		}
	})
}
