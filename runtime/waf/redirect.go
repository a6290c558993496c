package waf

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// redirectToHTTPS answers every plain-HTTP request with 308 Permanent Redirect to the same
// host, path and query over HTTPS (listen.redirect_http). 308, unlike 301, tells clients
// to repeat the method and body. Nothing is proxied, so nothing is inspected.
type redirectToHTTPS struct {
	httpsPort int
}

func (h redirectToHTTPS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // [::1] without a port
	if !isHostName(host) {
		http.Error(w, "400 bad request: a Host header with a host name is required", http.StatusBadRequest)
		return
	}
	authority := host
	if h.httpsPort != 443 {
		authority = net.JoinHostPort(host, strconv.Itoa(h.httpsPort))
	} else if strings.Contains(host, ":") {
		authority = "[" + host + "]"
	}
	http.Redirect(w, r, "https://"+authority+r.URL.RequestURI(), http.StatusPermanentRedirect)
}

// isHostName reports whether host is a DNS name or an IP literal: the redirect target is
// built from it, so nothing else (userinfo, paths) may slip in.
func isHostName(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	if net.ParseIP(host) != nil {
		return true
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
