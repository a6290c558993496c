package flow

import (
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxFlows       = 1 << 18
	DefaultIdleTimeout    = 60 * time.Second
	DefaultActiveTimeout  = 30 * time.Minute
	DefaultAttemptTimeout = 5 * time.Second // Zeek's tcp_attempt_delay
	DefaultPayloadBytes   = 64 << 20        // enough for the miner-binary detector to see a whole binary
)

// flowBlock is how many flows are allocated at a time.
const flowBlock = 64

// Options size and time the table.
type Options struct {
	// MaxFlows bounds memory: when the table is full, the least recently active flow is
	// ended (and counted as evicted) to make room.
	MaxFlows int
	// IdleTimeout ends a flow that saw no packet for this long.
	IdleTimeout time.Duration
	// ActiveTimeout reports a long-lived flow every so often (a FlowEnd for the part so
	// far) so that beacons over one long connection are still seen.
	ActiveTimeout time.Duration
	// AttemptTimeout is how long a SYN waits for an answer before it counts as
	// unanswered, and how long a reset or finished connection lingers for stray packets.
	AttemptTimeout time.Duration
	// PayloadBytes is how much of the start of each direction is handed to Payload.
	PayloadBytes int
}

func (o *Options) applyDefaults() {
	if o.MaxFlows <= 0 {
		o.MaxFlows = DefaultMaxFlows
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ActiveTimeout <= 0 {
		o.ActiveTimeout = DefaultActiveTimeout
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
	if o.PayloadBytes <= 0 {
		o.PayloadBytes = DefaultPayloadBytes
	}
}

// Stats are the table's counters.
type Stats struct {
	Active  int    // flows in the table now
	Created uint64 // flows ever created
	Evicted uint64 // flows ended early because the table was full
	Expired uint64 // flows ended by a timeout
	Closed  uint64 // flows ended by RST or FIN
}

// Table is the flow table. Not safe for concurrent use.
type Table struct {
	opts  Options
	sink  Sink
	flows flowIndex
	// pending holds flows whose handshake is unanswered or that are closing (short
	// timeout); active holds the rest (idle timeout). Both are in last-packet order.
	pending, active list
	free            []*Flow // ended flows, reused so that steady state allocates nothing
	stats           Stats
	apps            appParsers
}

// NewTable returns an empty table that reports to sink.
func NewTable(opts Options, sink Sink) *Table {
	opts.applyDefaults()
	return &Table{
		opts:  opts,
		sink:  sink,
		flows: newFlowIndex(min(opts.MaxFlows, 1<<10)), // grows with the traffic: a small index stays in cache
	}
}

// Stats returns the counters.
func (t *Table) Stats() Stats {
	s := t.stats
	s.Active = t.flows.count
	return s
}

// Packet accounts one decoded packet seen at now and emits the events it completes.
// Packets without a transport header (later fragments, cut headers) are not flows.
func (t *Table) Packet(p *decode.Packet, now time.Time) {
	if p.Layers&decode.LayerTransport == 0 {
		return
	}
	nanos := now.UnixNano()
	src := netip.AddrPortFrom(p.Src, p.SrcPort)
	dst := netip.AddrPortFrom(p.Dst, p.DstPort)
	key := keyOf(p.VNI, p.Proto, src, dst)
	hash := t.flows.hash(&key)
	f := t.flows.find(&key, hash)
	if f != nil && f.closing && p.TCPFlags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn {
		t.stats.Closed++ // the port is reused for a new connection
		t.end(f)
		f = nil
	}
	if f == nil {
		f = t.newFlow(key, hash, p, src, dst, nanos)
	} else if nanos-f.start > int64(t.opts.ActiveTimeout) {
		t.reportPart(f, nanos)
	}
	out := src == f.client
	f.last = nanos
	if out {
		f.packetsOut++
		f.bytesOut += uint64(p.IPLength)
	} else {
		f.packetsIn++
		f.bytesIn += uint64(p.IPLength)
	}
	if p.Proto == decode.ProtoTCP {
		t.tcp(f, p, out, nanos)
	}
	if len(p.Payload) > 0 {
		t.payload(f, p, out, now)
	}
	if p.Proto == decode.ProtoTCP && p.TCPFlags&decode.TCPRst != 0 {
		// A reset ends the connection at once: keeping it would only hold memory, and in a
		// scan nearly every flow ends this way. A stray packet after it starts a new flow
		// that reports no attempt (it does not begin with a SYN).
		t.stats.Closed++
		t.end(f)
		return
	}
	if f.closing || f.tcp == tcpSynSent {
		f.touch(&t.pending)
	} else {
		f.touch(&t.active)
	}
}

func (t *Table) newFlow(key Key, hash uint64, p *decode.Packet, src, dst netip.AddrPort, nanos int64) *Flow {
	if t.flows.count >= t.opts.MaxFlows {
		t.evictOldest()
	}
	if len(t.free) == 0 {
		// Flows come in blocks: a scan creates them by the hundred thousand, and one
		// allocation per block instead of per flow spares the allocator and the collector.
		block := make([]Flow, flowBlock)
		for i := range block {
			t.free = append(t.free, &block[i])
		}
	}
	f := t.free[len(t.free)-1]
	t.free = t.free[:len(t.free)-1]
	*f = Flow{}
	f.key, f.hash = key, hash
	f.client, f.server = src, dst
	if startedByServer(p) {
		f.client, f.server = dst, src
	}
	f.start, f.last = nanos, nanos
	t.flows.insert(f)
	t.stats.Created++
	return f
}

// startedByServer guesses that the first packet seen came from the server: a SYN-ACK
// (the SYN was missed), or UDP from a well-known port to an ephemeral one.
func startedByServer(p *decode.Packet) bool {
	switch p.Proto {
	case decode.ProtoTCP:
		return p.TCPFlags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn|decode.TCPAck
	case decode.ProtoUDP:
		return p.SrcPort < 1024 && p.DstPort >= 1024
	}
	return false
}

// tcp follows the handshake and the end of the connection.
func (t *Table) tcp(f *Flow, p *decode.Packet, out bool, nanos int64) {
	flags := p.TCPFlags
	switch {
	case flags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn && out && f.packetsOut == 1:
		f.tcp = tcpSynSent
		f.synTime = nanos
		f.synWindow = p.TCPWindow
		f.synOptions = p.TCPOptions
	case flags&(decode.TCPSyn|decode.TCPAck) == decode.TCPSyn|decode.TCPAck && !out && f.tcp == tcpSynSent:
		t.reportAttempt(f, true, false)
	case flags&decode.TCPRst != 0 && !out && f.tcp == tcpSynSent:
		t.reportAttempt(f, false, true)
	case flags&(decode.TCPSyn|decode.TCPRst|decode.TCPAck) == decode.TCPAck && out && f.tcp == tcpAnswered:
		// The third packet of the handshake (a reset attempt ended the flow already, so
		// the answer was a SYN-ACK). A SYN scan's half-open probe never gets here.
		f.tcp = tcpEstablished
	}
	if flags&decode.TCPFin != 0 {
		if out {
			f.finOut = true
		} else {
			f.finIn = true
		}
		f.closing = f.closing || f.finOut && f.finIn
	}
}

func (t *Table) reportAttempt(f *Flow, answered, reset bool) {
	f.tcp = tcpAnswered
	e := &t.apps.attempt
	*e = detect.ConnAttempt{
		Time:       time.Unix(0, f.synTime),
		VNI:        f.key.VNI,
		Src:        endpoint(f.client),
		Dst:        endpoint(f.server),
		Answered:   answered,
		Reset:      reset,
		SYNWindow:  f.synWindow,
		SYNOptions: int(f.synOptions),
	}
	t.sink.ConnAttempt(e)
}

// reportPart reports the part of a long flow so far and starts counting afresh.
func (t *Table) reportPart(f *Flow, nanos int64) {
	t.reportEnd(f)
	f.start = nanos
	f.bytesOut, f.bytesIn, f.packetsOut, f.packetsIn = 0, 0, 0, 0
}

func (t *Table) reportEnd(f *Flow) {
	e := &t.apps.end
	*e = detect.FlowEnd{
		VNI:         f.key.VNI,
		Proto:       f.key.Proto,
		Client:      endpoint(f.client),
		Server:      endpoint(f.server),
		Start:       time.Unix(0, f.start),
		End:         time.Unix(0, f.last),
		BytesOut:    f.bytesOut,
		BytesIn:     f.bytesIn,
		PacketsOut:  f.packetsOut,
		PacketsIn:   f.packetsIn,
		Established: f.tcp == tcpEstablished,
		PayloadOut:  f.payloadOut,
		PayloadIn:   f.payloadIn,
	}
	t.sink.FlowEnd(e)
}

// end removes f from the table, reporting an unanswered attempt and the flow's end.
func (t *Table) end(f *Flow) {
	if f.tcp == tcpSynSent {
		t.reportAttempt(f, false, false)
	}
	t.reportEnd(f)
	if f.list != nil {
		f.list.remove(f)
	}
	t.flows.remove(f)
	t.free = append(t.free, f)
}

func (t *Table) evictOldest() {
	// The oldest flow is the older of the two tails.
	victim := t.active.tail
	if p := t.pending.tail; p != nil && (victim == nil || p.last < victim.last) {
		victim = p
	}
	if victim != nil {
		t.end(victim)
		t.stats.Evicted++
	}
}

// Expire ends the flows whose timeout passed at now. Call it regularly (every second of
// packet time); it only looks at flows that are due.
func (t *Table) Expire(now time.Time) {
	nanos := now.UnixNano()
	for f := t.pending.tail; f != nil && nanos-f.last >= int64(t.opts.AttemptTimeout); f = t.pending.tail {
		if f.closing {
			t.stats.Closed++
		} else {
			t.stats.Expired++
		}
		t.end(f)
	}
	for f := t.active.tail; f != nil && nanos-f.last >= int64(t.opts.IdleTimeout); f = t.active.tail {
		t.stats.Expired++
		t.end(f)
	}
}

// Flush ends every flow, as at the end of a capture file or at shutdown.
func (t *Table) Flush() {
	for _, l := range []*list{&t.pending, &t.active} {
		for f := l.tail; f != nil; f = l.tail {
			t.end(f)
		}
	}
}

func endpoint(ap netip.AddrPort) detect.Endpoint {
	return detect.Endpoint{Addr: ap.Addr(), Port: ap.Port()}
}
