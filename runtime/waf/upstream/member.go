package upstream

import (
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
)

// Member is one upstream server of a pool. A Member is immutable once built; what
// changes (health, counters, connections) lives in its backend, which a reload or a
// weight change passes on to the member that replaces it.
type Member struct {
	Address string // host:port
	Weight  int
	// Source says where the member comes from: "static" for the configuration, or what
	// discovery passed to SetMembers ("docker:<container name>").
	Source string

	dynamic bool // added by SetMembers, not by the configuration
	pool    *Pool
	b       *backend
}

// backend is what outlives a Member: its connections, health record and counters.
type backend struct {
	address   string
	hash      uint64 // of the address, for source hashing
	transport http.RoundTripper
	// ownsTransport is true when the transport serves only this backend, so its idle
	// connections can be closed when the backend drains.
	ownsTransport bool
	proxy         *httputil.ReverseProxy
	// h1 is the lean HTTP/1.1 path (h1proxy.go), nil when the transport is not an
	// *http.Transport of this backend's own; proxy serves what h1 does not.
	h1     *h1Proxy
	health *health

	inFlight atomic.Int64
	requests atomic.Uint64 // proxied requests (each retry attempt counts)
	failures atomic.Uint64 // proxied requests that failed before a response

	// owners counts the pools listing this backend (a reload briefly has two). At zero
	// it drains: the requests in flight finish, then its idle connections are closed.
	owners atomic.Int32
}

func newBackend(address string, transport http.RoundTripper, ownsTransport bool) *backend {
	h := fnv.New64a()
	h.Write([]byte(address))
	b := &backend{address: address, hash: h.Sum64(), transport: transport, ownsTransport: ownsTransport, health: newHealth()}
	b.owners.Store(1)
	if t, ok := transport.(*http.Transport); ok && ownsTransport {
		b.h1 = newH1Proxy(address, t)
	}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The outgoing request is a clone; the client's Host header is kept so the
			// upstream serves the right virtual host.
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = address
			pr.Out.Body = outgoingBody(pr.In.Body, pr.Out.Body)
			pr.SetXForwarded()
		},
		Transport:  transport,
		BufferPool: &proxyBuffers,
		// The pool decides what a failure means (retry, passive check, 502): hand the
		// error back to it instead of answering.
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			if aw, ok := w.(*attemptWriter); ok {
				aw.err = err
				return
			}
			http.Error(w, "502 bad gateway: the upstream server did not answer", http.StatusBadGateway)
		},
	}
	return b
}

// adopt adds an owner: a new pool (reload) lists the backend too.
func (b *backend) adopt() { b.owners.Add(1) }

// release removes an owner; the last one starts draining.
func (b *backend) release() {
	if b.owners.Add(-1) == 0 && b.inFlight.Load() == 0 {
		b.closeIdle()
	}
}

func (b *backend) begin() {
	b.inFlight.Add(1)
	b.requests.Add(1)
}

// end finishes a request; the last request of a drained backend closes its connections
// (the one it used is idle by now: the proxy has closed the response body).
func (b *backend) end() {
	if b.inFlight.Add(-1) == 0 && b.owners.Load() <= 0 {
		b.closeIdle()
	}
}

func (b *backend) closeIdle() {
	if !b.ownsTransport {
		return
	}
	if b.h1 != nil {
		b.h1.idle.closeIdle()
	}
	if t, ok := b.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// Up reports whether the member receives traffic.
func (m *Member) Up() bool { return m.b.health.up.Load() }

// Host and Port split Address for the health view.
func (m *Member) Host() string {
	host, _, _ := net.SplitHostPort(m.Address)
	return host
}

// Port is the member's port, "" if Address has none.
func (m *Member) Port() string {
	_, port, _ := net.SplitHostPort(m.Address)
	return port
}

// Dynamic reports whether the member was added by SetMembers (discovery).
func (m *Member) Dynamic() bool { return m.dynamic }

// InFlight is the number of requests being proxied to the member now.
func (m *Member) InFlight() int64 { return m.b.inFlight.Load() }

// Requests is how many requests were proxied to the member, retry attempts included.
func (m *Member) Requests() uint64 { return m.b.requests.Load() }

// Failures is how many proxied requests failed before a response (connection refused,
// reset, timeout).
func (m *Member) Failures() uint64 { return m.b.failures.Load() }

// Health is the member's line in the health view.
func (m *Member) Health() MemberHealth { return m.b.health.view() }

// ServeHTTP proxies r to the member and, when the member cannot be reached and r is
// idempotent, retries it on other members of the pool (see retry.go). Hop-by-hop headers
// are removed and X-Forwarded-For, -Host and -Proto are set from the client connection
// (incoming values are not trusted).
func (m *Member) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.pool.serve(w, r, m)
}

// ErrorHandler answers a request the pool failed to proxy (every attempt failed).
type ErrorHandler func(w http.ResponseWriter, r *http.Request, m *Member, err error)
