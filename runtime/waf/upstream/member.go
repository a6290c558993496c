package upstream

import (
	"net/http"
	"net/http/httputil"
	"sync/atomic"
)

// Member is one upstream server of a pool.
type Member struct {
	Address string // host:port
	Weight  int

	up       atomic.Bool
	inFlight atomic.Int64 // requests being proxied now; for least-connections selection
	proxy    *httputil.ReverseProxy
}

func newMember(address string, weight int, transport http.RoundTripper, onError ErrorHandler) *Member {
	m := &Member{Address: address, Weight: weight}
	m.up.Store(true) // serve until a health check says otherwise
	m.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The outgoing request is a clone; the client's Host header is kept so the
			// upstream serves the right virtual host.
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = address
			pr.SetXForwarded()
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			onError(w, r, m, err)
		},
	}
	return m
}

// Up reports whether the member receives traffic.
func (m *Member) Up() bool { return m.up.Load() }

// InFlight is the number of requests being proxied to the member now.
func (m *Member) InFlight() int64 { return m.inFlight.Load() }

// ServeHTTP proxies r to the member. Hop-by-hop headers are removed and X-Forwarded-For,
// -Host and -Proto are set from the client connection (incoming values are not trusted).
func (m *Member) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.inFlight.Add(1)
	defer m.inFlight.Add(-1)
	m.proxy.ServeHTTP(w, r)
}

// ErrorHandler answers a request the member failed (connection refused, timeout, ...).
type ErrorHandler func(w http.ResponseWriter, r *http.Request, m *Member, err error)
