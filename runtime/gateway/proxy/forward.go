package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/policy"
)

var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}

// copyBuffers are the 32 KiB buffers response bodies are copied through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// newTransports builds the HTTP clients of plain-HTTP forwarding: one dialing through
// the policy-checked dialer, one sending absolute-URI requests to the upstream proxy
// (nil without one). Neither compresses nor decompresses: bodies pass through untouched.
func newTransports(r *Rules) (direct, viaUpstream *http.Transport) {
	base := func() *http.Transport {
		return &http.Transport{
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: r.Timeouts.Idle,
			DisableCompression:    true,
			TLSHandshakeTimeout:   r.Timeouts.Connect,
		}
	}
	direct = base()
	direct.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
		host, port, ok := splitHostPort(addr)
		if !ok {
			return nil, errors.New("bad destination address " + addr)
		}
		return r.Dialer.DialRule(ctx, host, port, r.Policy.Lookup(host))
	}
	if up := r.Dialer.Upstream(""); up != nil {
		viaUpstream = base()
		viaUpstream.Proxy = http.ProxyURL(up)
		dialer := &net.Dialer{Timeout: r.Timeouts.Connect}
		viaUpstream.DialContext = dialer.DialContext
	}
	return direct, viaUpstream
}

// hopByHop are the header fields that concern one connection, not the message; they are
// never forwarded. Proxy-Authorization is the client's credential for this gateway.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopByHop(h http.Header) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range hopByHop {
		h.Del(name)
	}
}

// forward serves a plain-HTTP (absolute-URI) request. It reports whether the connection
// may carry another request.
func (r *request) forward() bool {
	s := r.cc.server
	u, err := url.Parse(r.head.Target)
	if err != nil || u.Host == "" {
		r.refuse(http.StatusBadRequest, "malformed", "", 0,
			"this is a forward proxy: send absolute-URI requests (GET http://host/path) or CONNECT host:port")
		return false
	}
	if u.Scheme != "http" {
		r.refuse(http.StatusBadRequest, "malformed", u.Hostname(), 0, "scheme "+u.Scheme+" is not forwarded; use CONNECT for https")
		return false
	}
	host := u.Hostname()
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			r.refuse(http.StatusBadRequest, "malformed", host, 0, "port is not a number")
			return false
		}
	}
	if r.head.Method == http.MethodConnect || r.head.Header.Get("Upgrade") != "" {
		r.refuse(http.StatusForbidden, "policy", host, port, "protocol upgrades are not forwarded")
		return false
	}
	if _, err := r.rules.Policy.Check(host, port, policy.PlainHTTP); err != nil {
		r.refuse(http.StatusForbidden, "policy", host, port, err.(*policy.Denied).Reason)
		return false
	}

	if strings.EqualFold(r.head.Header.Get("Expect"), "100-continue") {
		// Answer it here rather than make the client wait for the destination's answer.
		r.head.Header.Del("Expect")
		if _, err := io.WriteString(r.cc.conn, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return false
		}
	}
	body := r.requestBody()
	out := &http.Request{
		Method:        r.head.Method,
		URL:           u,
		Host:          u.Host,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.head.Header,
		Body:          body,
		ContentLength: r.head.ContentLength,
	}
	if r.head.Chunked {
		out.ContentLength = -1
	}
	if out.ContentLength == 0 || out.ContentLength == -1 && !r.head.Chunked {
		out.Body, out.ContentLength = http.NoBody, 0
	}
	removeHopByHop(out.Header)
	transport := r.rules.direct
	if r.rules.Dialer.Upstream(host) != nil {
		transport = r.rules.viaUpstream
		if ip, ok := r.rules.Dialer.Mapped(host); ok {
			// The upstream proxy does not know our host mappings: send it the address.
			if err := r.rules.Policy.CheckAddress(r.rules.Policy.Lookup(host), ip); err != nil {
				r.refuse(http.StatusForbidden, "policy", host, port, err.(*policy.Denied).Reason)
				return false
			}
			mapped := *u
			mapped.Host = net.JoinHostPort(ip.String(), strconv.Itoa(port))
			out.URL = &mapped
		}
	}
	resp, err := transport.RoundTrip(out)
	if err != nil {
		r.refuseDialError(host, port, err)
		return false
	}
	defer resp.Body.Close()

	counters := s.opts.Stats.Domain(host)
	counters.Requests.Add(1)
	counters.BytesOut.Add(uint64(body.n))
	n, keepAlive := r.writeResponse(resp)
	counters.BytesIn.Add(uint64(n))
	return keepAlive && body.finished()
}

// requestBody is the body of the current request, framed exactly as the head said.
func (r *request) requestBody() *countingBody {
	b := &countingBody{}
	switch {
	case r.head.Chunked:
		b.r = httputil.NewChunkedReader(r.br)
	case r.head.ContentLength > 0:
		b.r = io.LimitReader(r.br, r.head.ContentLength)
	default:
		b.eof = true
		b.r = http.NoBody
	}
	return b
}

// countingBody counts a request body and remembers whether it was read to its end, which
// the next request on the connection depends on.
type countingBody struct {
	r   io.Reader
	n   int64
	eof bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *countingBody) Close() error { return nil }

func (b *countingBody) finished() bool { return b.eof }

// writeResponse sends resp to the client and reports the body bytes written and whether
// the connection stays open.
func (r *request) writeResponse(resp *http.Response) (int64, bool) {
	conn := r.cc.conn
	conn.SetWriteDeadline(time.Time{})
	w := writers.Get().(*bufio.Writer)
	w.Reset(conn)
	defer func() { w.Reset(nil); writers.Put(w) }()

	keepAlive := r.head.KeepAlive
	noBody := r.head.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent ||
		resp.StatusCode == http.StatusNotModified || resp.StatusCode < 200
	chunked := false
	removeHopByHop(resp.Header)
	switch {
	case noBody:
	case resp.ContentLength >= 0:
		resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	case r.head.Minor >= 1:
		chunked = true
		resp.Header.Set("Transfer-Encoding", "chunked")
	default:
		keepAlive = false // HTTP/1.0 client, unknown length: the end is the close
	}
	if !keepAlive {
		resp.Header.Set("Connection", "close")
	}
	w.WriteString("HTTP/1.1 ")
	w.WriteString(strconv.Itoa(resp.StatusCode))
	w.WriteByte(' ')
	w.WriteString(strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))))
	w.WriteString("\r\n")
	resp.Header.Write(w)
	w.WriteString("\r\n")
	if noBody {
		return 0, w.Flush() == nil && keepAlive
	}

	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	var dst io.Writer = w
	var cw io.WriteCloser
	if chunked {
		cw = httputil.NewChunkedWriter(w)
		dst = cw
	}
	n, err := io.CopyBuffer(writerOnly{dst}, resp.Body, *buf)
	if err != nil {
		return n, false
	}
	if chunked {
		cw.Close()
		w.WriteString("\r\n")
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		keepAlive = false
	}
	return n, w.Flush() == nil && keepAlive
}

// writerOnly hides ReadFrom so io.CopyBuffer uses the pooled buffer.
type writerOnly struct{ io.Writer }
