package proxy

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/dialer"
	"github.com/rampart-sec/rampart/runtime/gateway/policy"
)

// refuse answers status with a one-line reason, logs the refusal as JSON (client, host,
// reason) and counts it under class. The connection is closed afterwards.
func (r *request) refuse(status int, class, host string, port int, reason string) {
	s := r.cc.server
	s.opts.Stats.Denied(class)
	attrs := []any{
		slog.String("client", r.client.String()),
		slog.String("host", host),
		slog.String("reason", reason),
		slog.Int("status", status),
	}
	if port != 0 {
		attrs = append(attrs, slog.Int("port", port))
	}
	if r.head != nil {
		attrs = append(attrs, slog.String("method", r.head.Method))
	}
	s.opts.Logger.Warn("request refused", attrs...)
	r.writeStatus(status, reason)
}

// writeStatus writes a short plain-text answer that closes the connection.
func (r *request) writeStatus(status int, reason string) {
	body := http.StatusText(status) + ": " + reason + "\n"
	resp := "HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Connection: close\r\n\r\n" + body
	r.cc.conn.SetWriteDeadline(time.Now().Add(r.rules.Timeouts.RequestHeader))
	r.cc.conn.Write([]byte(resp))
}

// refuseHead answers a head the parser refused: 403 for ambiguous framing (smuggling),
// 431 for an oversized head, 400 otherwise.
func (r *request) refuseHead(err *HeadError) {
	switch err.Reason {
	case reasonBothLengths, reasonDuplicateLength, reasonTransferCoding, reasonHTTP10Chunked, reasonObsFold, reasonBareLF:
		r.refuse(http.StatusForbidden, "smuggling", "", 0, err.Reason)
	case errHeadTooLarge.Reason:
		r.refuse(http.StatusRequestHeaderFieldsTooLarge, "malformed", "", 0, err.Reason)
	default:
		r.refuse(http.StatusBadRequest, "malformed", "", 0, err.Reason)
	}
}

// refuseDialError answers a failed connection to a destination: 403 when the policy
// refused a resolved address or the upstream proxy refused, 502 otherwise.
func (r *request) refuseDialError(host string, port int, err error) {
	var denied *policy.Denied
	var upstream *dialer.UpstreamError
	switch {
	case errors.As(err, &denied):
		r.refuse(http.StatusForbidden, "policy", host, port, denied.Reason)
	case errors.As(err, &upstream) && upstream.StatusCode == http.StatusForbidden:
		r.refuse(http.StatusForbidden, "upstream", host, port, "the upstream proxy refused the destination")
	default:
		s := r.cc.server
		s.opts.Stats.UpstreamErrors.Add(1)
		s.opts.Logger.Warn("destination unreachable",
			slog.String("client", r.client.String()),
			slog.String("host", host),
			slog.Int("port", port),
			slog.String("error", err.Error()),
		)
		r.writeStatus(http.StatusBadGateway, "cannot reach "+host)
	}
}
