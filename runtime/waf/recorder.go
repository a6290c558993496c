package waf

import (
	"net/http"
	"sync"
)

// statusRecorder remembers the status sent to the client, for the metrics. Unwrap lets
// http.ResponseController reach the real writer for flushing and protocol upgrades.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64 // body bytes written, for the access log
}

var statusRecorders = sync.Pool{New: func() any { return new(statusRecorder) }}

func newStatusRecorder(w http.ResponseWriter) *statusRecorder {
	rec := statusRecorders.Get().(*statusRecorder)
	rec.ResponseWriter, rec.status, rec.bytes = w, 0, 0
	return rec
}

func releaseStatusRecorder(rec *statusRecorder) {
	rec.ResponseWriter = nil
	statusRecorders.Put(rec)
}

func (rec *statusRecorder) WriteHeader(code int) {
	if rec.status == 0 && code >= 200 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
