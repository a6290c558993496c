package waf

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/valyala/bytebufferpool"

	"github.com/rampart-sec/rampart/runtime/waf/events"
	"github.com/rampart-sec/rampart/runtime/waf/inspect"
	"github.com/rampart-sec/rampart/runtime/waf/overload"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// ServeHTTP routes, inspects and proxies one client request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lc := s.current.Load()
	id := s.ids.next()
	w.Header().Set("X-Request-Id", id)
	rec := newStatusRecorder(w)
	defer releaseStatusRecorder(rec)
	started, siteName, upstreamAddr := time.Now(), "", ""
	defer func() { s.logAccess(r, rec, siteName, id, upstreamAddr, started) }() // last: after the security event

	st := lc.router.match(r.Host)
	if st == nil {
		http.Error(rec, "no site for host", http.StatusNotFound)
		s.metrics.unrouted.count(actionPassed, rec.status)
		return
	}
	action := actionPassed
	siteName = st.name
	defer func() { st.counters.count(action, rec.status) }()

	var out http.ResponseWriter = rec
	if st.inspector != nil {
		body := bytebufferpool.Get()
		defer bytebufferpool.Put(body) // after proxying: r.Body may read from it
		tx, a := s.inspectRequest(rec, r, lc, st, id, body)
		action = a
		if tx == nil {
			return // answered: blocked, refused or failed
		}
		defer tx.Close()
		if st.inspector.InspectsResponses() {
			// One event per exchange, once the response rules have run too.
			ri := newResponseInspection(rec, r, tx, lc.limiter)
			out = ri
			defer func() {
				v := tx.Verdict()
				if ri.finish() {
					action = actionRejected
					if v.Blocked {
						action = actionBlocked
					}
				}
				tx.InspectLogging() // the correlation rules report on the whole exchange
				if v.Matched() || v.Blocked {
					s.securityEvent(r, st, id, v, ri.status())
				}
			}()
		} else if action == actionDetected {
			s.securityEvent(r, st, id, tx.Verdict(), 0)
		}
	}

	member := st.pool.Pick(r)
	if member == nil {
		http.Error(out, "503 service unavailable: no healthy upstream server", http.StatusServiceUnavailable)
		return
	}
	upstreamAddr = member.Address
	// The upstream can correlate its logs with ours; a client-sent id is replaced.
	r.Header.Set("X-Request-Id", id)
	member.ServeHTTP(out, r)
}

// inspectRequest buffers the body the rules need, waits for an inspection slot and runs the
// request rules. It returns the transaction (to Close) when the request may proceed;
// otherwise it has answered the client and returns nil. The action is what happened, for
// the request metrics.
func (s *Server) inspectRequest(w http.ResponseWriter, r *http.Request, lc *loadedConfig, st *site, id string, body *bytebufferpool.ByteBuffer) (*inspect.Transaction, requestAction) {
	in := st.inspector
	var inspected []byte
	if in.InspectsBody(r) {
		// The body is read before taking a slot, so a slow client never holds one.
		complete, err := bufferBody(r, body, in.BodyLimit())
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				http.Error(w, "413 request entity too large: the body exceeds the firewall's limit", http.StatusRequestEntityTooLarge)
				return nil, actionPassed
			}
			http.Error(w, "400 bad request: could not read the request body", http.StatusBadRequest)
			return nil, actionPassed
		}
		if !complete && st.mode == modeBlock {
			// Fail closed: a body the rules cannot see whole is not forwarded.
			v := inspect.Verdict{Blocked: true, Status: http.StatusRequestEntityTooLarge, Matches: []inspect.Match{bodyLimitMatch}}
			s.securityEvent(r, st, id, &v, http.StatusRequestEntityTooLarge)
			http.Error(w, "413 request entity too large: the body exceeds what the firewall inspects", http.StatusRequestEntityTooLarge)
			return nil, actionBlocked
		}
		// In detect mode the rules see the body's first BodyLimit bytes.
		inspected = body.B
	}

	if err := lc.limiter.Acquire(r.Context()); err != nil {
		s.metrics.overloaded(err)
		overload.Refuse(w)
		return nil, actionRejected
	}
	started := time.Now()
	tx := in.InspectRequest(r, inspected, id)
	s.metrics.inspection.observe(time.Since(started))
	lc.limiter.Release()

	v := tx.Verdict()
	if !v.Blocked {
		if v.Matched() {
			return tx, actionDetected // reported by the caller
		}
		return tx, actionPassed
	}
	status := v.Status
	writeBlockPage(w, status, id)
	tx.InspectLogging()
	s.securityEvent(r, st, id, v, status)
	tx.Close()
	return nil, actionBlocked
}

// bodyLimitMatch is reported for a body refused for its size: no rule saw it.
var bodyLimitMatch = inspect.Match{RuleID: inspect.BodyLimitRuleID, Message: "Request body larger than the inspection limit (policy.request_body_limit)", Severity: "critical"}

// securityEvent reports the rules a request matched and counts them. Only what identifies
// the request is reported: never headers (Authorization, Cookie) or bodies, unless
// events.log_matched_data asks for the values the rules matched.
func (s *Server) securityEvent(r *http.Request, st *site, id string, v *inspect.Verdict, status int) {
	action := events.ActionDetected
	if v.Blocked {
		action = events.ActionBlocked
	}
	var data []string
	if s.events.MatchedDataEnabled() {
		data = v.LogData()
	}
	rules := make([]events.RuleMatch, len(v.Matches))
	for i, m := range v.Matches {
		rules[i] = events.RuleMatch{ID: m.RuleID, Message: m.Message, Severity: m.Severity, Target: m.Target}
		if i < len(data) {
			rules[i].MatchedData = data[i]
		}
		s.metrics.ruleHit(m.RuleID)
	}
	s.emitSecurity(r, events.Event{
		Site:          st.name,
		ClientIP:      clientIP(r),
		Method:        r.Method,
		URI:           requestTarget(r),
		Rules:         rules,
		InboundScore:  v.InboundScore,
		OutboundScore: v.OutboundScore,
		Action:        action,
		RequestID:     id,
		Status:        status,
	})
}

// emitSecurity writes a security event to the log and, when configured, to syslog.
func (s *Server) emitSecurity(_ *http.Request, ev events.Event) {
	s.events.Security(ev)
}

// requestTarget is the target as the client sent it, bounded for the event.
func requestTarget(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	if len(uri) > events.MaxURIBytes {
		uri = uri[:events.MaxURIBytes]
	}
	return uri
}

// upstreamError returns the handler for requests a member of pool failed.
func (s *Server) upstreamError(pool string) upstream.ErrorHandler {
	return func(w http.ResponseWriter, r *http.Request, m *upstream.Member, err error) {
		s.metrics.upstreamError(pool)
		s.logger.LogAttrs(r.Context(), slog.LevelError, "upstream error",
			slog.String("request_id", r.Header.Get("X-Request-Id")),
			slog.String("pool", pool),
			slog.String("member", m.Address),
			slog.String("error", err.Error()),
		)
		http.Error(w, "502 bad gateway: the upstream server did not answer", http.StatusBadGateway)
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
