package events

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// SyslogAddressEnv overrides events.syslog (the original appliance's variable name).
const SyslogAddressEnv = "WAF_SEM_SYSLOG_ADDR"

// Emitter writes security events and access records. It is safe for concurrent use; a nil
// *Emitter discards everything, so callers need no checks.
type Emitter struct {
	mu        sync.Mutex // one line per Write, never interleaved
	w         io.Writer
	accessLog bool
	// matchedData writes the rules' matched data (events.log_matched_data).
	matchedData bool
	syslog      *syslogSender // nil without a syslog address
	header      syslogHeader
	buffers     sync.Pool // *bytes.Buffer
}

// Stats are the counters of the syslog queue, for /metrics.
type Stats struct {
	Sent    uint64 // messages the syslog server accepted
	Dropped uint64 // messages lost: queue full, server unreachable or write failed
	Queued  int    // messages waiting now
}

// New returns an Emitter that writes JSON lines to w (the runtime's log, stderr) and, when
// cfg.Syslog or WAF_SEM_SYSLOG_ADDR is set, sends security events to syslog. logger
// reports syslog connection trouble. cfg may be nil (no syslog, no access log).
func New(cfg *config.Events, w io.Writer, logger *slog.Logger) (*Emitter, error) {
	return newEmitter(cfg, w, logger, defaultSenderSettings)
}

func newEmitter(cfg *config.Events, w io.Writer, logger *slog.Logger, settings senderSettings) (*Emitter, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Emitter{w: w, buffers: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	addr := os.Getenv(SyslogAddressEnv)
	if cfg != nil {
		e.accessLog = cfg.AccessLog
		e.matchedData = cfg.LogMatchedData
		if addr == "" {
			addr = cfg.Syslog
		}
	}
	if addr == "" {
		return e, nil
	}
	target, err := config.ParseSyslogTarget(addr)
	if err != nil {
		return nil, fmt.Errorf("events.syslog: %w", err)
	}
	hostname, _ := os.Hostname()
	e.header = syslogHeader{hostname: headerField(hostname, 255), procID: strconv.Itoa(os.Getpid())}
	if e.syslog, err = newSyslogSender(target, settings, logger); err != nil {
		return nil, fmt.Errorf("events.syslog %s: %w", addr, err)
	}
	return e, nil
}

// Security writes ev to the log and queues it for syslog. It never waits for the
// syslog server.
func (e *Emitter) Security(ev Event) {
	if e == nil {
		return
	}
	buf := e.buffers.Get().(*bytes.Buffer)
	defer e.putBuffer(buf)
	if err := encodeSecurity(buf, &ev, e.matchedData); err != nil {
		return // only unencodable values fail, and an Event has none
	}
	e.writeLine(buf.Bytes())
	if e.syslog != nil {
		e.syslog.enqueue(e.header.formatRFC5424(&ev, buf.Bytes()))
	}
}

// Access writes rec to the log when the access log is on.
func (e *Emitter) Access(rec AccessRecord) {
	if e == nil || !e.accessLog {
		return
	}
	buf := e.buffers.Get().(*bytes.Buffer)
	defer e.putBuffer(buf)
	if err := encodeAccess(buf, &rec); err != nil {
		return
	}
	e.writeLine(buf.Bytes())
}

// AccessLogEnabled reports whether Access writes anything, so callers can skip building
// records.
func (e *Emitter) AccessLogEnabled() bool { return e != nil && e.accessLog }

// MatchedDataEnabled reports whether security events carry the rules' matched data, so
// callers gather it only then.
func (e *Emitter) MatchedDataEnabled() bool { return e != nil && e.matchedData }

// Stats returns the syslog counters; all zero without syslog.
func (e *Emitter) Stats() Stats {
	if e == nil || e.syslog == nil {
		return Stats{}
	}
	return Stats{Sent: e.syslog.sent.Load(), Dropped: e.syslog.dropped.Load(), Queued: len(e.syslog.queue)}
}

// Close sends the queued syslog messages (for a bounded time) and closes the connection.
// Events emitted after Close still reach the log; syslog counts them as dropped.
func (e *Emitter) Close() {
	if e == nil || e.syslog == nil {
		return
	}
	e.syslog.close()
}

func (e *Emitter) writeLine(line []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(line) // a log that cannot be written has nowhere to report to
}

func (e *Emitter) putBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 64<<10 {
		return // let an unusually large buffer go rather than pin it
	}
	buf.Reset()
	e.buffers.Put(buf)
}
