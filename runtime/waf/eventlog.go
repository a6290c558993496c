package waf

import (
	"net/http"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/events"
)

// logAccess writes the access record of a request (events.access_log). It runs last in
// ServeHTTP, after the request's security event, so a reader of the log knows that a
// request's events are complete once its access record appears (bench/ftw relies on it).
func (s *Server) logAccess(r *http.Request, rec *statusRecorder, site, id, upstream string, started time.Time) {
	if !s.events.AccessLogEnabled() {
		return
	}
	s.events.Access(events.AccessRecord{
		Time:      started,
		Site:      site,
		Client:    clientIP(r),
		Method:    r.Method,
		URI:       requestTarget(r),
		Status:    rec.status,
		Bytes:     rec.bytes,
		Duration:  time.Since(started),
		Upstream:  upstream,
		RequestID: id,
	})
}
