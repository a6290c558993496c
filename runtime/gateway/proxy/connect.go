package proxy

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/policy"
	"github.com/rampart-sec/rampart/runtime/gateway/tunnel"
)

const connectEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"

// connect serves a CONNECT request: check the destination, connect to it, answer 200,
// check the TLS SNI when required, then relay. release gives the connection's buffers
// back before the (possibly long) relay.
func (r *request) connect(release func()) {
	s := r.cc.server
	host, port, ok := splitHostPort(r.head.Target)
	if !ok {
		r.refuse(http.StatusBadRequest, "malformed", r.head.Target, 0, "CONNECT needs host:port")
		return
	}
	if r.head.ContentLength > 0 || r.head.Chunked {
		r.refuse(http.StatusBadRequest, "malformed", host, port, "CONNECT with a body")
		return
	}
	rule, err := r.rules.Policy.Check(host, port, policy.Tunnel)
	if err != nil {
		r.refuse(http.StatusForbidden, "policy", host, port, err.(*policy.Denied).Reason)
		return
	}
	dst, err := r.rules.Dialer.DialRule(context.Background(), host, port, rule)
	if err != nil {
		r.refuseDialError(host, port, err)
		return
	}
	defer dst.Close()

	r.cc.conn.SetWriteDeadline(time.Now().Add(r.rules.Timeouts.RequestHeader))
	if _, err := io.WriteString(r.cc.conn, connectEstablished); err != nil {
		return
	}
	r.cc.conn.SetWriteDeadline(time.Time{})

	// Bytes the client sent after the CONNECT head (often its ClientHello) are in br.
	var pending []byte
	if r.rules.RequireSNIMatch {
		r.cc.conn.SetReadDeadline(time.Now().Add(r.rules.Timeouts.RequestHeader))
		sni, hello, err := peekServerName(r.br)
		r.cc.conn.SetReadDeadline(time.Time{})
		if err != nil || !sniMatches(sni, host) {
			reason := "TLS server name " + strconv.Quote(sni) + " does not match CONNECT host " + host
			if err != nil {
				reason = "no TLS ClientHello after CONNECT: " + err.Error()
			}
			// The 200 is sent: the refusal can only close the tunnel.
			s.opts.Stats.Denied("sni-mismatch")
			s.opts.Logger.Warn("request refused",
				slog.String("client", r.client.String()),
				slog.String("host", host),
				slog.Int("port", port),
				slog.String("method", http.MethodConnect),
				slog.String("reason", reason),
				slog.String("action", "tunnel closed"),
			)
			return
		}
		pending = hello
	}
	if n := r.br.Buffered(); n > 0 {
		rest, _ := r.br.Peek(n)
		pending = append(pending, rest...)
	}
	release()

	counters := s.opts.Stats.Domain(host)
	counters.Requests.Add(1)
	if len(pending) > 0 {
		dst.SetWriteDeadline(time.Now().Add(r.rules.Timeouts.Idle))
		if _, err := dst.Write(pending); err != nil {
			return
		}
		counters.BytesOut.Add(uint64(len(pending)))
	}
	s.opts.Stats.Tunnels.Add(1)
	res := tunnel.Relay(r.cc.conn, dst, tunnel.Timeouts{Idle: r.rules.Timeouts.Idle, HalfClosed: r.rules.Timeouts.HalfClosed})
	s.opts.Stats.Tunnels.Add(-1)
	counters.BytesOut.Add(uint64(res.ClientToServer))
	counters.BytesIn.Add(uint64(res.ServerToClient))
}

// splitHostPort splits a CONNECT target; the port must be a number.
func splitHostPort(target string) (string, int, bool) {
	host, portText, err := net.SplitHostPort(target)
	if err != nil || host == "" {
		return "", 0, false
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, false
	}
	return host, port, true
}

// sniMatches compares a ClientHello's server name with the CONNECT host. A client that
// tunnels to an (explicitly allowed) IP address sends no server name.
func sniMatches(sni, host string) bool {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil {
		return sni == "" || strings.EqualFold(sni, host)
	}
	return sni != "" && strings.EqualFold(strings.TrimSuffix(sni, "."), host)
}
