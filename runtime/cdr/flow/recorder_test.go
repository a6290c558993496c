package flow

import (
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
)

// recorder is a Sink that keeps copies of every event.
type recorder struct {
	attempts []detect.ConnAttempt
	ends     []detect.FlowEnd
	dns      []detect.DNS
	hellos   []detect.TLSHello
	requests []detect.HTTPRequest
	payloads []Payload
}

func (r *recorder) ConnAttempt(e *detect.ConnAttempt) { r.attempts = append(r.attempts, *e) }
func (r *recorder) FlowEnd(e *detect.FlowEnd)         { r.ends = append(r.ends, *e) }
func (r *recorder) DNS(e *detect.DNS) {
	c := *e
	c.Answers = append([]netip.Addr(nil), e.Answers...)
	r.dns = append(r.dns, c)
}
func (r *recorder) TLSHello(e *detect.TLSHello)       { r.hellos = append(r.hellos, *e) }
func (r *recorder) HTTPRequest(e *detect.HTTPRequest) { r.requests = append(r.requests, *e) }
func (r *recorder) Payload(e *Payload) {
	c := *e
	c.Data = append([]byte(nil), e.Data...)
	r.payloads = append(r.payloads, c)
}

// feed decodes frames and gives them to the table, one second apart from start.
func feed(t *Table, start time.Time, frames ...[]byte) time.Time {
	var p decode.Packet
	now := start
	for _, f := range frames {
		(decode.Decoder{}).Ethernet(f, &p)
		t.Packet(&p, now)
		now = now.Add(time.Second)
	}
	return now
}
