package events

import (
	"strconv"
	"strings"
	"time"
)

// Syslog header fields of every message (RFC 5424 section 6).
const (
	AppName = "rampart-waf"
	// FacilityLocal0 is the facility of every message; collectors route on it.
	FacilityLocal0  = 16
	severityWarning = 4 // blocked requests
	severityNotice  = 5 // detected requests
	msgIDSecurity   = "security"
	// sdID names the structured-data element. 32473 is the private enterprise number
	// reserved for documentation (RFC 5612), as rampart has none of its own.
	sdID = "rampart@32473"
)

// syslogHeader is what stays the same for every message of one process.
type syslogHeader struct {
	hostname string // PRINTUSASCII, at most 255
	procID   string
}

// formatRFC5424 returns one syslog message for ev:
//
//	<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [rampart@32473 ...] JSON
//
// The structured data carries the fields collectors filter on; the message is the same
// JSON object as the log line.
func (h syslogHeader) formatRFC5424(ev *Event, jsonLine []byte) []byte {
	severity := severityNotice
	if ev.Action == ActionBlocked {
		severity = severityWarning
	}
	t := ev.Time
	if t.IsZero() {
		t = time.Now()
	}
	b := make([]byte, 0, 256+len(jsonLine))
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(FacilityLocal0*8+severity), 10)
	b = append(b, ">1 "...)
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
	b = append(b, ' ')
	b = append(b, h.hostname...)
	b = append(b, ' ')
	b = append(b, AppName...)
	b = append(b, ' ')
	b = append(b, h.procID...)
	b = append(b, ' ')
	b = append(b, msgIDSecurity...)
	b = append(b, " ["...)
	b = append(b, sdID...)
	b = appendParam(b, "action", ev.Action)
	b = appendParam(b, "site", ev.Site)
	b = appendParam(b, "request_id", ev.RequestID)
	b = appendParam(b, "client_ip", ev.ClientIP)
	b = appendParam(b, "method", truncate(ev.Method, 64))
	b = appendParam(b, "status", strconv.Itoa(ev.Status))
	b = appendParam(b, "rule_ids", joinRuleIDs(ev.Rules))
	b = appendParam(b, "inbound_anomaly_score", strconv.Itoa(ev.InboundScore))
	b = appendParam(b, "outbound_anomaly_score", strconv.Itoa(ev.OutboundScore))
	b = append(b, "] "...)
	return append(b, strings.TrimSuffix(string(jsonLine), "\n")...)
}

// appendParam appends ` name="value"`, escaping '"', '\' and ']' as RFC 5424 section
// 6.3.3 requires.
func appendParam(b []byte, name, value string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '"', '\\', ']':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func joinRuleIDs(rules []RuleMatch) string {
	var b []byte
	for i, r := range rules {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(r.ID), 10)
	}
	return string(b)
}

// headerField makes s a valid RFC 5424 header field: printable US-ASCII without spaces,
// at most max bytes, "-" (the NILVALUE) when empty.
func headerField(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		if c := s[i]; c > 32 && c < 127 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}
