// Package events writes what rampart-waf reports about the traffic it sees: one security
// event per blocked or detected request and, when enabled, one access record per request.
// Both are JSON lines on the runtime's log (stderr), parseable line by line; security events
// also go to syslog (RFC 5424 over UDP, TCP or TLS) when events.syslog or
// WAF_SEM_SYSLOG_ADDR is set, through a bounded queue so a slow syslog server never slows
// requests down.
//
// Nothing here sees headers or bodies: an Event carries only what identifies a request and
// the rules it matched, so Authorization, Cookie and request bodies never leak into logs.
// The one exception is opt-in: with events.log_matched_data, each rule's log data (the
// values it matched, as ModSecurity logs them) is written too.
package events

import "time"

// Actions of a security event.
const (
	ActionBlocked  = "blocked"  // the request was refused (policy mode block)
	ActionDetected = "detected" // the request matched but was forwarded (policy mode detect)
)

// Event is one security event: a request that matched rules.
type Event struct {
	Time     time.Time // when the request arrived; zero means now
	Site     string
	ClientIP string
	Method   string
	// URI is the request target as sent (path and query), truncated to MaxURIBytes.
	URI string
	// Rules lists every rule that matched and logged, in match order.
	Rules []RuleMatch
	// InboundScore and OutboundScore are the OWASP CRS anomaly scores of the request and
	// the response.
	InboundScore  int
	OutboundScore int
	Action        string // ActionBlocked or ActionDetected
	RequestID     string
	Status        int // the status answered to the client (0 when not known yet)
}

// RuleMatch is one rule that matched.
type RuleMatch struct {
	ID int `json:"id"`
	// Message is the rule's msg, never its logdata (which may quote cookies or bodies).
	Message  string `json:"message"`
	Severity string `json:"severity,omitempty"` // e.g. "CRITICAL"
	// Target is the variable that matched, such as ARGS:id or REQUEST_HEADERS:User-Agent:
	// where to aim an exclusion. Never the matched value.
	Target string `json:"target,omitempty"`
	// MatchedData is the rule's log data, such as the Core Rule Set's "Matched Data: X
	// found within ARGS:q: <value>", truncated to MaxMatchedDataBytes. It is request
	// content: the Emitter writes it only with events.log_matched_data.
	MatchedData string `json:"matched_data,omitempty"`
}

// AccessRecord is one line of the access log.
type AccessRecord struct {
	Time      time.Time // when the request arrived; zero means now
	Site      string    // empty when no site matched the Host
	Client    string    // client IP
	Method    string
	URI       string // truncated to MaxURIBytes
	Status    int
	Bytes     int64         // response body bytes sent
	Duration  time.Duration // from arrival to the end of the response
	Upstream  string        // the pool member that answered, empty when none did
	RequestID string
}

// Bounds that keep one event small enough for a syslog datagram.
const (
	MaxURIBytes     = 2048
	MaxMessageBytes = 256
	MaxTargetBytes  = 128
	// MaxMatchedDataBytes is ModSecurity's bound on logged data.
	MaxMatchedDataBytes = 512
	MaxRules            = 64 // further matches are counted in the rule_ids list only
)
