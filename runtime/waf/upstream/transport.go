package upstream

import (
	"net"
	"net/http"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// DefaultUpstreamTimeout bounds the wait for a member's response headers when
// limits.upstream_timeout is unset.
const DefaultUpstreamTimeout = 60 * time.Second

// NewTransport returns the upstream transport settings. It keeps many idle connections
// per upstream, because a WAF in front of a busy site reuses them constantly (Go's
// default of 2 per host would open and close connections under load), and never uses the
// environment's HTTP proxy: traffic goes straight to the members. Pools clone it per
// member (see PoolOptions.Transport).
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: DefaultUpstreamTimeout,
		ExpectContinueTimeout: time.Second,
		// The client's Accept-Encoding goes to the member unchanged; without this the
		// transport would ask for gzip on its own and decompress the answer for nothing.
		DisableCompression: true,
	}
}

// UpstreamTimeout is limits.upstream_timeout, or DefaultUpstreamTimeout when unset (the
// configuration is validated before, so a bad value also falls back to the default).
func UpstreamTimeout(limits *config.Limits) time.Duration {
	if limits == nil || limits.UpstreamTimeout == "" {
		return DefaultUpstreamTimeout
	}
	d, err := time.ParseDuration(limits.UpstreamTimeout)
	if err != nil || d <= 0 {
		return DefaultUpstreamTimeout
	}
	return d
}

// transportTemplate is the transport a pool clones per member: the given one (or
// NewTransport()), with responseHeaderTimeout applied when set.
func transportTemplate(t http.RoundTripper, responseHeaderTimeout time.Duration) http.RoundTripper {
	if t == nil {
		t = NewTransport()
	}
	if ht, ok := t.(*http.Transport); ok && responseHeaderTimeout > 0 {
		ht = ht.Clone()
		ht.ResponseHeaderTimeout = responseHeaderTimeout
		return ht
	}
	return t
}
