package waf

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/valyala/bytebufferpool"

	"github.com/rampart-sec/rampart/runtime/waf/inspect"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// ServeHTTP routes, inspects and proxies one client request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lc := s.current.Load()
	id := s.ids.next()
	w.Header().Set("X-Request-Id", id)
	rec := newStatusRecorder(w)
	defer releaseStatusRecorder(rec)

	st := lc.router.match(r.Host)
	if st == nil {
		http.Error(rec, "no site for host", http.StatusNotFound)
		s.metrics.unrouted.count(rec.status)
		return
	}
	defer func() { st.counters.count(rec.status) }()

	if st.mode != modeOff {
		body := bytebufferpool.Get()
		defer bytebufferpool.Put(body) // after proxying: r.Body may read from it
		if !s.inspect(rec, r, st, id, body) {
			return
		}
	}

	member := st.pool.Pick(r)
	if member == nil {
		http.Error(rec, "503 service unavailable: no healthy upstream server", http.StatusServiceUnavailable)
		return
	}
	// The upstream can correlate its logs with ours; a client-sent id is replaced.
	r.Header.Set("X-Request-Id", id)
	member.ServeHTTP(rec, r)
}

// inspect runs the site's inspector and reports whether the request may proceed. It has
// answered the client when it returns false.
func (s *Server) inspect(w http.ResponseWriter, r *http.Request, st *site, id string, body *bytebufferpool.ByteBuffer) bool {
	var formBody []byte
	if st.inspector.WantsBody(r) {
		complete, err := bufferBody(r, body, s.opts.BodyLimit)
		if err != nil {
			http.Error(w, "400 bad request: could not read the request body", http.StatusBadRequest)
			return false
		}
		if !complete {
			v := inspect.Verdict{RuleID: "request-body-too-large", Message: "form body larger than the inspection limit", Part: inspect.PartBody}
			s.securityEvent(r, st, id, v)
			if st.mode == modeBlock {
				http.Error(w, "413 request entity too large: the form body exceeds what the firewall inspects", http.StatusRequestEntityTooLarge)
				return false
			}
			return true
		}
		formBody = body.B
	}

	started := time.Now()
	v := st.inspector.Inspect(r, formBody)
	s.metrics.inspection.observe(time.Since(started))
	if !v.Matched() {
		return true
	}
	s.securityEvent(r, st, id, v)
	if st.mode == modeDetect {
		return true
	}
	writeBlockPage(w, id)
	return false
}

// securityEvent logs a matched rule and counts it. Only what identifies the event is
// logged: never headers (Authorization, Cookie), bodies or the query string.
func (s *Server) securityEvent(r *http.Request, st *site, id string, v inspect.Verdict) {
	action := "blocked"
	if st.mode == modeDetect {
		action = "detected"
	}
	s.metrics.ruleMatched(v.RuleID, st.mode)
	s.logger.LogAttrs(r.Context(), slog.LevelWarn, "security event",
		slog.String("event", "security"),
		slog.String("action", action),
		slog.String("request_id", id),
		slog.String("site", st.name),
		slog.String("client_ip", clientIP(r)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("rule_id", v.RuleID),
		slog.String("rule_message", v.Message),
		slog.String("matched_part", string(v.Part)),
		slog.String("matched_arg", v.Arg),
	)
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
