package cdr

import (
	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
	"github.com/rampart-sec/rampart/runtime/cdr/flow"
)

// engineSink feeds the flow table's events to the detection engine.
type engineSink struct{ engine *detect.Engine }

func (s engineSink) ConnAttempt(e *detect.ConnAttempt) { s.engine.OnConnAttempt(*e) }
func (s engineSink) FlowEnd(e *detect.FlowEnd)         { s.engine.OnFlowEnd(*e) }
func (s engineSink) DNS(e *detect.DNS)                 { s.engine.OnDNS(e) }
func (s engineSink) TLSHello(e *detect.TLSHello)       { s.engine.OnTLSHello(*e) }
func (s engineSink) HTTPRequest(e *detect.HTTPRequest) { s.engine.OnHTTPRequest(e) }

// Payload passes TCP payloads only: the miner detectors read streams.
func (s engineSink) Payload(p *flow.Payload) {
	if p.Proto == decode.ProtoTCP {
		s.engine.OnPayload(p.VNI, p.Client, p.Server, p.FromClient, int64(p.Offset), p.Data, p.Time)
	}
}
