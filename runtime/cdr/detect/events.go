package detect

import (
	"net/netip"
	"time"
)

// The events the decoder (runtime/cdr) feeds into the Engine. Times are packet timestamps,
// never the wall clock, so a pcap replay behaves exactly like live traffic.

// Endpoint is one side of a connection.
type Endpoint struct {
	Addr netip.Addr
	Port uint16
}

// String formats the endpoint as ip:port (or just ip when Port is 0).
func (e Endpoint) String() string {
	if e.Port == 0 {
		return e.Addr.String()
	}
	return netip.AddrPortFrom(e.Addr, e.Port).String()
}

// ConnAttempt is one TCP connection attempt, reported once its outcome is known:
// Answered when a SYN-ACK came back, Reset when the reply was a RST, neither when nothing
// came back before the decoder gave up waiting. SYNWindow and SYNOptions describe the
// initial SYN (nmap's SYN scan uses window 1024 and no options).
type ConnAttempt struct {
	Time       time.Time
	VNI        uint32
	Src, Dst   Endpoint
	Answered   bool
	Reset      bool
	SYNWindow  uint16
	SYNOptions int // number of TCP options in the SYN
}

// FlowEnd is a finished (closed, idle or evicted) flow. Client is the side that opened it.
type FlowEnd struct {
	VNI                   uint32
	Proto                 uint8 // IP protocol number: 6 TCP, 17 UDP
	Client, Server        Endpoint
	Start, End            time.Time
	BytesOut, BytesIn     uint64 // IP bytes client → server and server → client
	PacketsOut, PacketsIn uint64
	// Established is set for TCP when the client acknowledged the server's SYN-ACK: the
	// three-way handshake completed. A SYN scan's probes (reset, unanswered, or half-open
	// SYN, SYN-ACK, RST) never are.
	Established bool
	// PayloadOut and PayloadIn are the transport payload bytes each way since the flow
	// began (a flow reported in parts counts from its start).
	PayloadOut, PayloadIn uint64
}

// Conversation reports whether the flow was an exchange between two programs rather than
// a probe: a TCP connection that completed its handshake, or any flow that carried
// payload. Scan probes are not, and must not reach per-pair trackers (beacon), where each
// would hold a pair of its own.
func (f *FlowEnd) Conversation() bool {
	return f.Established || f.PayloadOut > 0 || f.PayloadIn > 0
}

// DNS is one DNS query or response. Name is lower case without the trailing dot.
type DNS struct {
	Time           time.Time
	VNI            uint32
	Client, Server Endpoint
	Response       bool
	Name           string
	QType          uint16
	RCode          uint8 // 3 is NXDOMAIN
	Answers        []netip.Addr
}

// TLSHello is a TLS ClientHello.
type TLSHello struct {
	Time           time.Time
	VNI            uint32
	Client, Server Endpoint
	SNI, JA3       string // JA3 is the MD5 hex digest
}

// HTTPRequest is the request line and headers of interest of one HTTP request.
type HTTPRequest struct {
	Time                         time.Time
	VNI                          uint32
	Client, Server               Endpoint
	Method, URI, Host, UserAgent string
}

// DNS record types and codes the detectors look at.
const (
	QTypeNULL     = 10
	QTypeTXT      = 16
	RCodeNXDomain = 3
)
