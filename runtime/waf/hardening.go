package waf

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
)

// hardening is the first handler of the traffic listeners, in front of routing and
// inspection. It answers the requests the connection guard refused (see guardedConn),
// re-checks what HTTP/2 and net/http pass on, and bounds request bodies
// (limits.max_body_bytes): a declared length over the limit is refused at once with 413,
// a chunked body is cut where it crosses the limit and the request answered with 413; a
// chunked body with broken syntax is answered with 400.
type hardening struct {
	next         http.Handler
	server       *Server
	maxBodyBytes int64 // 0: unlimited
}

// guardReasons explains each refusal to the client; the status is 400 unless listed in
// guardStatus.
var guardReasons = map[string]string{
	reasonBothLengths:     "the request has both Content-Length and Transfer-Encoding",
	reasonDuplicateLength: "the request has more than one Content-Length",
	reasonBadLength:       "the Content-Length is not a number",
	reasonTransferCoding:  "the only Transfer-Encoding accepted is chunked",
	reasonHTTP10Chunked:   "HTTP/1.0 requests cannot use Transfer-Encoding",
	reasonObsFold:         "a header line is folded (obs-fold)",
	reasonControlChar:     "the request line or a header contains a control character",
	reasonMalformedHeader: "a header line is malformed",
	reasonReservedHeader:  "the request uses a header name reserved by the firewall",
	reasonHeadTooLarge:    "the request headers are too large",
	reasonVersionBelow10:  "the request line names an HTTP version below 1.0 (HTTP/0.9 requests carry no version)",
	reasonFragment:        "the request target contains a fragment (#), which HTTP never sends",
	reasonConnectTarget:   "a CONNECT request must name host:port",
	reasonEmptyHost:       "an HTTP/1.1 request must name its host in the Host header",
	reasonInvalidHost:     "the Host header is not a host name or IP address with an optional port",
}

var guardStatus = map[string]int{reasonHeadTooLarge: http.StatusRequestHeaderFieldsTooLarge}

func (h *hardening) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if reason := h.refusal(r); reason != "" {
		h.refuse(w, r, reason)
		return
	}
	if r.TLS == nil {
		// HTTP/1.x over TLS reaches net/http through the guard, which hides the
		// *tls.Conn; the listener put its state in the connection's context.
		if state, ok := r.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok {
			r.TLS = state
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		if h.maxBodyBytes > 0 && r.ContentLength > h.maxBodyBytes {
			w.Header().Set("Connection", "close") // the body is not read
			http.Error(w, "413 request entity too large: the body exceeds the firewall's limit", http.StatusRequestEntityTooLarge)
			return
		}
		if r.ContentLength < 0 { // chunked: its length and its syntax show only while reading
			body := &checkedBody{ReadCloser: r.Body}
			if h.maxBodyBytes > 0 {
				body.ReadCloser = http.MaxBytesReader(w, r.Body, h.maxBodyBytes)
			}
			r.Body = body
			w = &bodyFaultWriter{ResponseWriter: w, body: body}
		}
	}
	h.next.ServeHTTP(w, r)
}

// refusal returns why r is refused, or "". Beyond the guard's verdict these are checks
// net/http or the guard already make for HTTP/1.x; they are repeated so that no path
// (HTTP/2, a future listener) can skip them.
func (h *hardening) refusal(r *http.Request) string {
	if reasons := r.Header[rejectedHeader]; len(reasons) > 0 {
		if _, known := guardReasons[reasons[0]]; known {
			return reasons[0]
		}
		return reasonReservedHeader
	}
	if len(r.Header["Content-Length"]) > 1 {
		return reasonDuplicateLength
	}
	if len(r.TransferEncoding) > 1 || (len(r.TransferEncoding) == 1 && r.TransferEncoding[0] != "chunked") {
		return reasonTransferCoding
	}
	if strings.IndexByte(r.RequestURI, 0) >= 0 {
		return reasonControlChar
	}
	if strings.IndexByte(r.RequestURI, '#') >= 0 {
		return reasonFragment
	}
	if _, ok := splitAuthority(r.Host); r.Host != "" && !ok {
		return reasonInvalidHost
	}
	return ""
}

func (h *hardening) refuse(w http.ResponseWriter, r *http.Request, reason string) {
	status, ok := guardStatus[reason]
	if !ok {
		status = http.StatusBadRequest
	}
	id := h.server.ids.next()
	w.Header().Set("X-Request-Id", id)
	w.Header().Set("Connection", "close")
	h.server.logger.LogAttrs(r.Context(), slog.LevelWarn, "request refused",
		slog.String("event", "protocol"),
		slog.String("request_id", id),
		slog.String("client_ip", clientIP(r)),
		slog.String("reason", reason),
	)
	http.Error(w, http.StatusText(status)+": "+guardReasons[reason]+" (request id "+id+")", status)
}

// checkedBody notes why reading a chunked body failed, so that the answer blames the
// client (413 past max_body_bytes, 400 for broken chunked syntax) whatever error the
// proxy or the inspection makes of it (a proxy would say 502).
type checkedBody struct {
	io.ReadCloser
	fault atomic.Int32 // the status to answer with; 0 while reading succeeds
}

func (b *checkedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			b.fault.CompareAndSwap(0, http.StatusRequestEntityTooLarge)
		} else {
			b.fault.CompareAndSwap(0, http.StatusBadRequest)
		}
	}
	return n, err
}

// bodyFaultWriter replaces an error status with the body's fault once reading it failed.
type bodyFaultWriter struct {
	http.ResponseWriter
	body *checkedBody
}

func (w *bodyFaultWriter) WriteHeader(status int) {
	if fault := int(w.body.fault.Load()); status >= 400 && fault != 0 {
		status = fault
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach Flush and Hijack of the real writer.
func (w *bodyFaultWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// tlsStateKey is the context key of a guarded TLS connection's state.
type tlsStateKey struct{}

// connContext puts the TLS state of a guarded TLS connection in its context (see
// hardening.ServeHTTP).
func connContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*guardedConn); ok {
		if tc, ok := g.Conn.(*tls.Conn); ok {
			state := tc.ConnectionState()
			return context.WithValue(ctx, tlsStateKey{}, &state)
		}
	}
	return ctx
}
