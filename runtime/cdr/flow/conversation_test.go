package flow

import (
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// A flow end says whether the flow was a conversation (handshake completed, or payload
// carried) or a probe: the beacon tracker takes only conversations.
func TestFlowEndTellsConversationsFromProbes(t *testing.T) {
	seg := func(s synth.TCPSegment) []byte { return synth.TCP(s) }
	syn := seg(synth.TCPSegment{Src: scanner, Dst: server, SYN: true, Window: 1024})
	synAck := seg(synth.TCPSegment{Src: server, Dst: scanner, SYN: true, ACK: true})
	ack := seg(synth.TCPSegment{Src: scanner, Dst: server, ACK: true})
	rstFromClient := seg(synth.TCPSegment{Src: scanner, Dst: server, RST: true})
	rstFromServer := seg(synth.TCPSegment{Src: server, Dst: scanner, RST: true, ACK: true})
	data := seg(synth.TCPSegment{Src: scanner, Dst: server, ACK: true, PSH: true, Payload: []byte("hello")})
	tests := []struct {
		name         string
		frames       [][]byte
		established  bool
		conversation bool
	}{
		{"reset probe", [][]byte{syn, rstFromServer}, false, false},
		{"unanswered probe", [][]byte{syn}, false, false},
		{"half-open probe (SYN, SYN-ACK, RST)", [][]byte{syn, synAck, rstFromClient}, false, false},
		{"handshake, then reset", [][]byte{syn, synAck, ack, rstFromClient}, true, true},
		{"handshake and data", [][]byte{syn, synAck, ack, data}, true, true},
		{"data seen midstream", [][]byte{data}, false, true},
		{"UDP datagram with payload", [][]byte{synth.UDP(client, server, []byte("ping"))}, false, true},
		{"empty UDP datagram", [][]byte{synth.UDP(client, server, nil)}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			table := NewTable(Options{}, rec)
			feed(table, t0, tc.frames...)
			table.Flush()
			if len(rec.ends) != 1 {
				t.Fatalf("%d flow ends, want 1", len(rec.ends))
			}
			e := rec.ends[0]
			if e.Established != tc.established || e.Conversation() != tc.conversation {
				t.Errorf("established %v, conversation %v; want %v, %v (%+v)", e.Established, e.Conversation(), tc.established, tc.conversation, e)
			}
		})
	}
}
