package upstream

import (
	"net"
	"net/http"
	"time"
)

// NewTransport returns the HTTP transport shared by every pool. It keeps many idle
// connections per upstream, because a WAF in front of a busy site reuses them constantly,
// and never uses the environment's HTTP proxy: traffic goes straight to the members.
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
