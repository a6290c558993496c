package cdr

import (
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/flow"
)

// tickEvery is how often (in packet time) flows are expired and the detectors ticked.
const tickEvery = time.Second

// Pipeline is the path of one traffic source: decode, filter by VNI, flow table, detection
// engine. It is owned by one goroutine; Counters may be read from any.
type Pipeline struct {
	decoder decode.Decoder
	packet  decode.Packet
	flows   *flow.Table
	engine  *detect.Engine
	vnis    map[uint32]bool // nil inspects every VNI
	counts  Counts          // this goroutine's running totals
	shared  sharedCounts    // what others read, updated by Publish
	// nextTick is when (packet time, Unix nanoseconds) Advance next expires flows and ticks
	// the detectors; 0 until the first packet. Advance runs per packet (a replay), so the
	// check is one integer comparison rather than time.Time arithmetic.
	nextTick int64
}

// Counts are a pipeline's traffic figures.
type Counts struct {
	Packets   uint64 // frames or datagrams received
	Bytes     uint64 // their bytes, as received (outer headers included)
	Decoded   uint64 // decoded completely
	Truncated uint64 // cut short (AWS truncates to the sensor's MTU); decoded as far as they go
	Malformed uint64 // unreadable before the IP header (bad VXLAN flags, bad IP version)
	NotIP     uint64 // ARP and other non-IP frames
	Filtered  uint64 // of a VNI the filter excludes
	Flows     flow.Stats
}

type sharedCounts struct {
	packets, bytes, decoded, truncated, malformed, notIP, filtered atomic.Uint64
	flowsActive, flowsCreated, flowsEvicted                        atomic.Uint64
}

// NewPipeline builds a pipeline whose detection engine publishes findings with publish
// (which must not block).
func NewPipeline(cfg *config.Config, publish func(findings.Finding)) (*Pipeline, error) {
	engine, err := detect.New(cfg.Detections, publish)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{
		decoder: decode.Decoder{VXLANPort: uint16(cfg.Listen.VXLAN)},
		engine:  engine,
		vnis:    vniSet(cfg.Filter),
	}
	p.flows = flow.NewTable(flowOptions(cfg.Flows), engineSink{engine})
	return p, nil
}

func flowOptions(f *config.Flows) flow.Options {
	if f == nil {
		return flow.Options{}
	}
	return flow.Options{
		MaxFlows:       f.MaxFlows,
		IdleTimeout:    config.DurationOr(f.IdleTimeout, flow.DefaultIdleTimeout),
		ActiveTimeout:  config.DurationOr(f.ActiveTimeout, flow.DefaultActiveTimeout),
		AttemptTimeout: config.DurationOr(f.AttemptTimeout, flow.DefaultAttemptTimeout),
	}
}

func vniSet(f *config.Filter) map[uint32]bool {
	if f == nil || len(f.VNIs) == 0 {
		return nil
	}
	set := make(map[uint32]bool, len(f.VNIs))
	for _, v := range f.VNIs {
		set[uint32(v)] = true
	}
	return set
}

// Reload applies a new configuration's detections and filter (call it from the goroutine
// that owns the pipeline). Flow table sizes apply to new pipelines only.
func (p *Pipeline) Reload(cfg *config.Config) error {
	if err := p.engine.Reload(cfg.Detections); err != nil {
		return err
	}
	p.vnis = vniSet(cfg.Filter)
	return nil
}

// Frame decodes one captured frame of the given link type (a pcap file, an interface),
// unwrapping VXLAN sent to the configured port.
func (p *Pipeline) Frame(linkType int, frame []byte, now time.Time) {
	p.counts.Packets++
	p.counts.Bytes += uint64(len(frame))
	p.handle(p.decoder.Frame(linkType, frame, &p.packet), now)
}

// VXLAN decodes one VXLAN datagram payload (from the UDP listener).
func (p *Pipeline) VXLAN(payload []byte, now time.Time) {
	p.counts.Packets++
	p.counts.Bytes += uint64(len(payload))
	p.handle(p.decoder.VXLAN(payload, &p.packet), now)
}

func (p *Pipeline) handle(status decode.Status, now time.Time) {
	switch status {
	case decode.Complete:
		p.counts.Decoded++
	case decode.Truncated:
		p.counts.Truncated++
	case decode.NotIP:
		p.counts.NotIP++
		return
	case decode.Malformed:
		p.counts.Malformed++
		return
	}
	if p.vnis != nil && !p.vnis[p.packet.VNI] {
		p.counts.Filtered++
		return
	}
	p.flows.Packet(&p.packet, now)
}

// Advance expires flows and ticks the detectors when a second of (packet) time passed.
func (p *Pipeline) Advance(now time.Time) {
	nanos := now.UnixNano()
	if p.nextTick == 0 {
		p.nextTick = nanos + int64(tickEvery)
		return
	}
	if nanos < p.nextTick {
		return
	}
	p.nextTick = nanos + int64(tickEvery)
	p.flows.Expire(now)
	p.engine.Tick(now)
}

// Finish ends every flow (the end of a capture, or shutdown) and ticks the detectors.
func (p *Pipeline) Finish(now time.Time) {
	p.flows.Flush()
	p.engine.Tick(now)
	p.Publish()
}

// Publish makes the running counts visible to Counters. Call it once per batch.
func (p *Pipeline) Publish() {
	c, s := &p.counts, &p.shared
	s.packets.Store(c.Packets)
	s.bytes.Store(c.Bytes)
	s.decoded.Store(c.Decoded)
	s.truncated.Store(c.Truncated)
	s.malformed.Store(c.Malformed)
	s.notIP.Store(c.NotIP)
	s.filtered.Store(c.Filtered)
	fs := p.flows.Stats()
	s.flowsActive.Store(uint64(fs.Active))
	s.flowsCreated.Store(fs.Created)
	s.flowsEvicted.Store(fs.Evicted)
}

// Counters returns the counts as of the last Publish; safe from any goroutine.
func (p *Pipeline) Counters() Counts {
	s := &p.shared
	return Counts{
		Packets: s.packets.Load(), Bytes: s.bytes.Load(), Decoded: s.decoded.Load(),
		Truncated: s.truncated.Load(), Malformed: s.malformed.Load(), NotIP: s.notIP.Load(),
		Filtered: s.filtered.Load(),
		Flows:    flow.Stats{Active: int(s.flowsActive.Load()), Created: s.flowsCreated.Load(), Evicted: s.flowsEvicted.Load()},
	}
}
