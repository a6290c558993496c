package cacheport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// Upstream limits.
const (
	dialTimeout           = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	// stallTimeout ends an origin body that sends nothing for that long, so a stuck
	// origin cannot hold a collapsed fetch (and all its waiting clients) forever.
	stallTimeout = 60 * time.Second
)

// newUpstreamTransport returns the client the cache port fetches origins with: through
// the gateway's dialer (upstream proxy, host mappings), verifying origins against the
// system roots plus the configured bundle, without transparent decompression (the client's
// Accept-Encoding goes to the origin as it is, so Vary: Accept-Encoding means something).
func newUpstreamTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error), ca *config.CA) (*http.Transport, error) {
	if dial == nil {
		dial = (&net.Dialer{Timeout: dialTimeout}).DialContext
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if ca != nil && ca.OriginCABundle != "" {
		certs, err := config.ParseCertificates([]byte(ca.OriginCABundle))
		if err != nil {
			return nil, fmt.Errorf("ca.origin_ca_bundle: %w", err)
		}
		for _, c := range certs {
			roots.AddCert(c)
		}
	}
	return &http.Transport{
		Proxy:                 nil, // chaining is the dialer's job
		DialContext:           dial,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		DisableCompression:    true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}, nil
}

// upstreamRequest builds the request to the origin for the client's r.
func upstreamRequest(ctx context.Context, r *http.Request, url string) (*http.Request, error) {
	out, err := http.NewRequestWithContext(ctx, r.Method, url, r.Body)
	if err != nil {
		return nil, fmt.Errorf("upstream request: %w", err)
	}
	out.Header = r.Header.Clone()
	removeHopByHop(out.Header)
	out.ContentLength = r.ContentLength
	if r.ContentLength == 0 {
		out.Body = http.NoBody
	}
	return out, nil
}

// fillRequest is the request of a fetch made for the cache: the whole object (no range,
// no conditions of one client), on a context of its own so that the leader's client
// leaving does not end the fetch others wait on.
func fillRequest(r *http.Request, url string) (*http.Request, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	out, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("upstream request: %w", err)
	}
	out.Header = r.Header.Clone()
	removeHopByHop(out.Header)
	for _, f := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} {
		out.Header.Del(f)
	}
	return out, cancel, nil
}

// passThrough forwards a request that is not cached and streams the answer back.
func (s *Server) passThrough(w http.ResponseWriter, r *http.Request, o origin, url string) {
	out, err := upstreamRequest(r.Context(), r, url)
	if err != nil {
		s.upstreamFailed(w, r, o, err)
		return
	}
	resp, err := s.upstream.RoundTrip(out)
	if err != nil {
		s.upstreamFailed(w, r, o, err)
		return
	}
	defer resp.Body.Close()
	s.counters.misses.Add(1)
	copyResponseHeader(w.Header(), resp.Header)
	w.Header().Set("X-Cache", "MISS")
	w.WriteHeader(resp.StatusCode)
	n, _ := copyBody(w, resp.Body)
	s.counters.bytesFetched.Add(uint64(n))
}

// upstreamFailed answers 502 (504 on a timeout) and counts the error.
func (s *Server) upstreamFailed(w http.ResponseWriter, r *http.Request, o origin, err error) {
	s.counters.upstreamErrors.Add(1)
	status := http.StatusBadGateway
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		status = http.StatusGatewayTimeout
	}
	s.logger.Warn("origin fetch failed", slog.String("host", o.host), slog.Int("port", o.port),
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	http.Error(w, fmt.Sprintf("rampart gateway: fetching from %s failed", o.host), status)
}

func copyResponseHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
	removeHopByHop(dst)
}

// copyBuffers are the 32 KiB buffers bodies are copied through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// copyBody copies src to the client, flushing as it goes so streaming stays streaming.
func copyBody(w http.ResponseWriter, src io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	return io.CopyBuffer(flushWriter{w}, src, *bp)
}

// flushWriter flushes after each write: a late joiner gets bytes as soon as they arrive.
type flushWriter struct{ w http.ResponseWriter }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, err
}

// stallGuard cancels a fetch whose body sends nothing for stallTimeout.
type stallGuard struct {
	r     io.Reader
	timer *time.Timer
}

func newStallGuard(r io.Reader, cancel context.CancelFunc) *stallGuard {
	return &stallGuard{r: r, timer: time.AfterFunc(stallTimeout, cancel)}
}

func (g *stallGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.timer.Reset(stallTimeout)
	return n, err
}

func (g *stallGuard) stop() { g.timer.Stop() }
