package flow

import (
	"net/netip"
)

// tcpState is how far a TCP connection's handshake got.
type tcpState uint8

const (
	tcpMidstream   tcpState = iota // first packet seen was not a SYN: nothing to report
	tcpSynSent                     // SYN seen, no answer yet
	tcpAnswered                    // SYN-ACK or RST came back (the attempt was reported)
	tcpEstablished                 // the client acknowledged the SYN-ACK: a connection, not a probe
)

// Flow is one entry of the table. Times are packet times in Unix nanoseconds.
type Flow struct {
	key            Key
	hash           uint64 // of key, kept so that removal from the index needs no hashing
	client, server netip.AddrPort

	start, last int64

	bytesOut, bytesIn     uint64 // IP bytes client → server, server → client
	packetsOut, packetsIn uint64
	payloadOut, payloadIn uint64 // transport payload bytes seen so far (Payload offsets)

	tcp        tcpState
	synTime    int64
	synWindow  uint16
	synOptions uint8
	finOut     bool
	finIn      bool
	closing    bool // both FINs seen: linger briefly for the last ACK, then end

	// sawTLS and sawHTTP stop looking for a ClientHello or a request line once one was
	// parsed (HTTP keeps looking at the start of later client payloads: keep-alive).
	sawTLS bool

	list       *list // which LRU list holds the flow
	prev, next *Flow
}

// Client is the endpoint that opened the flow (sent the SYN or the first packet).
func (f *Flow) Client() netip.AddrPort { return f.client }

// Server is the other endpoint.
func (f *Flow) Server() netip.AddrPort { return f.server }

// list is an intrusive doubly linked list of flows in order of last packet, most recent
// first. Each list has one timeout, so expiry only looks at its tail.
type list struct {
	head, tail *Flow
	len        int
}

func (l *list) pushFront(f *Flow) {
	f.list = l
	f.prev = nil
	f.next = l.head
	if l.head != nil {
		l.head.prev = f
	}
	l.head = f
	if l.tail == nil {
		l.tail = f
	}
	l.len++
}

func (l *list) remove(f *Flow) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next, f.list = nil, nil, nil
	l.len--
}

// touch moves f to the front of to (which may be the list it is on).
func (f *Flow) touch(to *list) {
	if f.list == to && to.head == f {
		return
	}
	if f.list != nil {
		f.list.remove(f)
	}
	to.pushFront(f)
}
