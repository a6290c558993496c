package waf

import (
	"net/http"

	"github.com/valyala/bytebufferpool"

	"github.com/rampart-sec/rampart/runtime/waf/inspect"
	"github.com/rampart-sec/rampart/runtime/waf/overload"
)

// responseInspection sits between the upstream's response and the client when a policy
// turns response inspection on. The status and headers go through the response-header
// rules; a body of a content type the rules cover is held back, up to
// inspect.DefaultResponseBodyLimit, and goes through the response-body rules before the
// client sees any of it. A refused response is replaced by the block page. Bodies longer
// than the limit are judged on their start, then streamed.
type responseInspection struct {
	w       http.ResponseWriter
	r       *http.Request
	tx      *inspect.Transaction
	limiter *overload.Limiter

	code        int  // status from the upstream; 0 until WriteHeader
	buffering   bool // holding the body back for the body rules
	passthrough bool // judged: the rest goes straight to the client
	refused     bool // the rules (or overload) refused: the client got a refusal instead
	body        *bytebufferpool.ByteBuffer
}

func newResponseInspection(w http.ResponseWriter, r *http.Request, tx *inspect.Transaction, limiter *overload.Limiter) *responseInspection {
	return &responseInspection{w: w, r: r, tx: tx, limiter: limiter}
}

func (ri *responseInspection) Header() http.Header { return ri.w.Header() }

func (ri *responseInspection) WriteHeader(code int) {
	if code < 200 { // informational responses (and 101 upgrades) pass as they are
		ri.w.WriteHeader(code)
		return
	}
	if ri.code != 0 {
		return
	}
	ri.code = code
	inspectBody, ok := ri.judge(func() bool { return ri.tx.InspectResponseHeaders(code, ri.r.Proto, ri.w.Header()) })
	switch {
	case !ok:
	case inspectBody:
		ri.buffering = true
		ri.body = bytebufferpool.Get()
	default:
		ri.passthrough = true
		ri.w.WriteHeader(code)
	}
}

func (ri *responseInspection) Write(b []byte) (int, error) {
	if ri.code == 0 {
		ri.WriteHeader(http.StatusOK)
	}
	switch {
	case ri.refused:
		return len(b), nil // the client already has the refusal
	case ri.passthrough:
		return ri.w.Write(b)
	}
	ri.body.B = append(ri.body.B, b...)
	if len(ri.body.B) > inspect.DefaultResponseBodyLimit {
		ri.inspectBody()
	}
	return len(b), nil
}

// Flush is held back while the body is being buffered.
func (ri *responseInspection) Flush() {
	if ri.passthrough {
		_ = http.NewResponseController(ri.w).Flush()
	}
}

// finish judges a body still held back and reports whether the response was refused.
func (ri *responseInspection) finish() (refused bool) {
	if ri.code == 0 && !ri.refused {
		ri.WriteHeader(http.StatusOK)
	}
	if ri.buffering {
		ri.inspectBody()
	}
	if ri.body != nil {
		bytebufferpool.Put(ri.body)
		ri.body = nil
	}
	return ri.refused
}

// status is what the client got.
func (ri *responseInspection) status() int {
	if ri.refused {
		if v := ri.tx.Verdict(); v.Blocked {
			return v.Status
		}
		return http.StatusServiceUnavailable
	}
	return ri.code
}

// inspectBody runs the body rules over what is buffered (at most the limit), then either
// releases the response or refuses it.
func (ri *responseInspection) inspectBody() {
	ri.buffering = false
	held := ri.body.B
	inspected := held[:min(len(held), inspect.DefaultResponseBodyLimit)]
	if _, ok := ri.judge(func() bool { ri.tx.InspectResponseBody(inspected); return false }); !ok {
		return
	}
	ri.passthrough = true
	ri.w.WriteHeader(ri.code)
	_, _ = ri.w.Write(held)
}

// judge runs rules in an inspection slot; it reports false when the response was refused,
// by the rules or because no slot was free (fail closed).
func (ri *responseInspection) judge(rules func() bool) (result, ok bool) {
	if err := ri.limiter.Acquire(ri.r.Context()); err != nil {
		ri.refuse(func() { overload.Refuse(ri.w) })
		return false, false
	}
	result = rules()
	ri.limiter.Release()
	if v := ri.tx.Verdict(); v.Blocked {
		ri.refuse(func() { writeBlockPage(ri.w, v.Status, ri.r.Header.Get("X-Request-Id")) })
		return false, false
	}
	return result, true
}

// refuse replaces the upstream's response, whose headers must not reach the client.
func (ri *responseInspection) refuse(write func()) {
	ri.refused = true
	ri.buffering = false
	h := ri.w.Header()
	id := h.Get("X-Request-Id")
	clear(h)
	h.Set("X-Request-Id", id)
	write()
}
