package flow

import (
	"net/netip"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

var (
	t0      = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	client  = netip.MustParseAddrPort("10.0.0.5:40000")
	server  = netip.MustParseAddrPort("10.0.0.9:22")
	scanner = netip.MustParseAddrPort("10.0.0.66:61000")
)

func TestHandshakeOutcomes(t *testing.T) {
	syn := synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Window: 1024})
	synAck := synth.TCP(synth.TCPSegment{Src: server, Dst: client, SYN: true, ACK: true})
	rst := synth.TCP(synth.TCPSegment{Src: server, Dst: client, RST: true, ACK: true})
	tests := []struct {
		name            string
		frames          [][]byte
		wait            time.Duration
		attempts        int
		answered, reset bool
		ends            int
	}{
		{name: "answered", frames: [][]byte{syn, synAck}, attempts: 1, answered: true},
		{name: "reset", frames: [][]byte{syn, rst}, attempts: 1, reset: true, ends: 1},
		{name: "unanswered after the attempt timeout", frames: [][]byte{syn}, wait: DefaultAttemptTimeout, attempts: 1, ends: 1},
		{name: "not yet unanswered", frames: [][]byte{syn}, wait: DefaultAttemptTimeout - 2*time.Second},
		{name: "midstream", frames: [][]byte{synAck}, wait: DefaultIdleTimeout, ends: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			table := NewTable(Options{}, rec)
			end := feed(table, t0, tc.frames...)
			table.Expire(end.Add(tc.wait - time.Second))
			if len(rec.attempts) != tc.attempts || len(rec.ends) != tc.ends {
				t.Fatalf("%d attempts, %d flow ends; want %d, %d", len(rec.attempts), len(rec.ends), tc.attempts, tc.ends)
			}
			if tc.attempts == 0 {
				return
			}
			a := rec.attempts[0]
			if a.Answered != tc.answered || a.Reset != tc.reset || a.SYNWindow != 1024 || a.SYNOptions != 0 ||
				a.Src.Addr != client.Addr() || a.Dst.Port != 22 || !a.Time.Equal(t0) {
				t.Fatalf("attempt %+v", a)
			}
		})
	}
}

func TestFlowCountsBothDirections(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	q := synth.UDP(client, netip.MustParseAddrPort("10.0.0.2:53"), []byte("0123456789"))
	r := synth.UDP(netip.MustParseAddrPort("10.0.0.2:53"), client, []byte("01234567890123456789"))
	end := feed(table, t0, q, r, q)
	if got := table.Stats().Active; got != 1 {
		t.Fatalf("%d flows, want 1", got)
	}
	table.Expire(end.Add(DefaultIdleTimeout))
	if len(rec.ends) != 1 {
		t.Fatalf("%d flow ends after the idle timeout, want 1", len(rec.ends))
	}
	e := rec.ends[0]
	if e.Client.Addr != client.Addr() || e.Server.Port != 53 || e.PacketsOut != 2 || e.PacketsIn != 1 ||
		e.BytesOut != 2*(20+8+10) || e.BytesIn != 20+8+20 || !e.Start.Equal(t0) || !e.End.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("flow end %+v", e)
	}
	if s := table.Stats(); s.Active != 0 || s.Expired != 1 || s.Created != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestMemoryBoundEvictsOldest(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{MaxFlows: 2}, rec)
	var frames [][]byte
	for port := uint16(1); port <= 3; port++ {
		frames = append(frames, synth.UDP(client, netip.AddrPortFrom(server.Addr(), 1000+port), []byte("x")))
	}
	feed(table, t0, frames...)
	s := table.Stats()
	if s.Active != 2 || s.Evicted != 1 {
		t.Fatalf("stats %+v, want 2 active and 1 evicted", s)
	}
	if len(rec.ends) != 1 || rec.ends[0].Server.Port != 1001 {
		t.Fatalf("ended %+v, want the oldest flow (port 1001)", rec.ends)
	}
}

func TestActiveTimeoutReportsLongFlows(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{ActiveTimeout: 10 * time.Second}, rec)
	frame := synth.UDP(client, netip.MustParseAddrPort("10.0.0.2:4444"), []byte("ping"))
	frames := make([][]byte, 25)
	for i := range frames {
		frames[i] = frame
	}
	feed(table, t0, frames...)
	if len(rec.ends) != 2 {
		t.Fatalf("%d reports of a 25 s flow with a 10 s active timeout, want 2", len(rec.ends))
	}
	if rec.ends[0].PacketsOut != 11 {
		t.Fatalf("first part has %d packets, want 11", rec.ends[0].PacketsOut)
	}
}

func TestResetEndsFlowAtOnce(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	feed(table, t0,
		synth.TCP(synth.TCPSegment{Src: scanner, Dst: server, SYN: true}),
		synth.TCP(synth.TCPSegment{Src: server, Dst: scanner, RST: true, ACK: true}))
	if s := table.Stats(); s.Active != 0 || s.Closed != 1 || len(rec.ends) != 1 || rec.ends[0].PacketsIn != 1 {
		t.Fatalf("stats %+v, ends %+v: want the reset flow ended and reported", s, rec.ends)
	}
}

func TestFinishedFlowLingersForTheLastAck(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	end := feed(table, t0,
		synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, FIN: true}),
		synth.TCP(synth.TCPSegment{Src: server, Dst: client, ACK: true, FIN: true}),
		synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true}))
	if s := table.Stats(); s.Active != 1 || s.Created != 1 {
		t.Fatalf("stats %+v: the last ACK must find the closing flow", s)
	}
	table.Expire(end.Add(DefaultAttemptTimeout))
	if s := table.Stats(); s.Active != 0 || s.Closed != 1 || rec.ends[0].PacketsOut != 2 {
		t.Fatalf("stats %+v, ends %+v", s, rec.ends)
	}
}

func TestPayloadOffsetsAndBudget(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{PayloadBytes: 8}, rec)
	feed(table, t0,
		synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte("hello")}),
		synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte("world")}),
		synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, Payload: []byte("again")}),
		synth.TCP(synth.TCPSegment{Src: server, Dst: client, ACK: true, Payload: []byte("reply")}))
	want := []struct {
		fromClient bool
		offset     uint64
		data       string
	}{{true, 0, "hello"}, {true, 5, "wor"}, {false, 0, "reply"}}
	if len(rec.payloads) != len(want) {
		t.Fatalf("%d payload events, want %d: %+v", len(rec.payloads), len(want), rec.payloads)
	}
	for i, w := range want {
		p := rec.payloads[i]
		if p.FromClient != w.fromClient || p.Offset != w.offset || string(p.Data) != w.data {
			t.Errorf("payload %d = %v %d %q, want %v %d %q", i, p.FromClient, p.Offset, p.Data, w.fromClient, w.offset, w.data)
		}
	}
}

func TestTablePacketAllocatesNothing(t *testing.T) {
	table := NewTable(Options{}, nopSink{})
	syn := synth.TCP(synth.TCPSegment{Src: scanner, Dst: server, SYN: true})
	rst := synth.TCP(synth.TCPSegment{Src: server, Dst: scanner, RST: true, ACK: true})
	now := t0
	run := func() {
		feed(table, now, syn, rst)
		now = now.Add(10 * time.Second)
		table.Expire(now)
	}
	run() // the first flow allocates its struct; later ones reuse it
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("a scan probe and its reset allocate %v times, want 0", n)
	}
}
