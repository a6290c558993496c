package flow

import (
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect"
)

// Sink receives the events the table emits. Events are passed by pointer to avoid copying;
// they, and every slice in them, are valid only during the call.
type Sink interface {
	ConnAttempt(*detect.ConnAttempt)
	FlowEnd(*detect.FlowEnd)
	DNS(*detect.DNS)
	TLSHello(*detect.TLSHello)
	HTTPRequest(*detect.HTTPRequest)
	Payload(*Payload)
}

// Payload is one segment of a flow's payload among the first Options.PayloadBytes of its
// direction. Data is a view into the packet buffer.
type Payload struct {
	Time           time.Time
	VNI            uint32
	Proto          uint8 // 6 TCP, 17 UDP
	Client, Server detect.Endpoint
	FromClient     bool
	Offset         uint64 // payload bytes of this direction before Data
	Data           []byte
}
