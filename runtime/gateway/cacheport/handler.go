package cacheport

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
)

// serveClient handles requests on the port itself: CONNECT, or absolute-URI HTTP.
func (s *Server) serveClient(w http.ResponseWriter, r *http.Request) {
	client := clientAddr(r.RemoteAddr)
	if s.opts.OnClient != nil && client.IsValid() {
		s.opts.OnClient(client)
	}
	if r.Method == http.MethodConnect {
		s.handleConnect(w, r, client)
		return
	}
	if r.URL.Scheme != "http" || r.URL.Host == "" {
		s.deny(w, r, http.StatusBadRequest, "this is a proxy port: send absolute-URI requests (http://host/path) or CONNECT host:443")
		return
	}
	host, port, err := splitHostPort(r.URL.Host, 80)
	if err != nil {
		s.deny(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.serveRequest(w, r, origin{scheme: "http", host: host, port: port}, client)
}

// serveIntercepted handles a request read inside an intercepted tunnel.
func (s *Server) serveIntercepted(w http.ResponseWriter, r *http.Request) {
	tc, ok := r.Context().Value(tunnelKey{}).(*tunnelConn)
	if !ok {
		http.Error(w, "not an intercepted connection", http.StatusInternalServerError)
		return
	}
	if s.opts.OnClient != nil && tc.client.IsValid() {
		s.opts.OnClient(tc.client)
	}
	if r.Method == http.MethodConnect {
		s.deny(w, r, http.StatusMethodNotAllowed, "CONNECT inside an intercepted tunnel")
		return
	}
	s.serveRequest(w, r, tc.origin, tc.client)
}

// serveRequest routes a request to patch mode, the cache or a plain pass-through.
func (s *Server) serveRequest(w http.ResponseWriter, r *http.Request, o origin, client netip.Addr) {
	switch r.Method {
	case http.MethodTrace, "TRACK":
		s.deny(w, r, http.StatusMethodNotAllowed, r.Method+" is not proxied")
		return
	}
	if r.Header.Get("Upgrade") != "" {
		s.deny(w, r, http.StatusNotImplemented, "protocol upgrades are not proxied on the cache port; use the proxy port")
		return
	}
	url := o.scheme + "://" + o.authority() + r.URL.RequestURI()
	st := s.settings.Load()
	cacheable := r.Method == http.MethodGet || r.Method == http.MethodHead
	if s.patches != nil && cacheable && st.patchClient(client) && st.patchURL(url) {
		s.servePatch(w, r, o, url, st)
		return
	}
	if !o.checked {
		if err := s.check(o.host, o.port); err != nil {
			s.deny(w, r, http.StatusForbidden, err.Error())
			return
		}
	}
	if !cacheable || r.Header.Get("Range") != "" {
		// Squid's default too: ranges of objects not in memory go to the origin as they are.
		s.passThrough(w, r, o, url)
		return
	}
	s.serveCached(w, r, o, url, st)
}

// check asks the gateway's domain policy.
func (s *Server) check(host string, port int) error {
	if s.opts.Check == nil { // fail closed: no policy allows nothing
		return fmt.Errorf("%s:%d is not allowed: the cache port has no domain policy", host, port)
	}
	if err := s.opts.Check(host, port); err != nil {
		return fmt.Errorf("%s:%d is not allowed: %w", host, port, err)
	}
	return nil
}

// deny answers with a short reason and logs it (without the query string: it may hold tokens).
func (s *Server) deny(w http.ResponseWriter, r *http.Request, status int, reason string) {
	if status == http.StatusForbidden {
		s.counters.denied.Add(1)
	}
	s.logger.Info("cache port request refused",
		slog.String("client", r.RemoteAddr), slog.String("method", r.Method),
		slog.String("host", r.Host), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.String("reason", reason))
	w.Header().Set("Connection", "close")
	http.Error(w, "rampart gateway: "+reason, status)
}

func clientAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// hopByHop are the headers of one connection, never forwarded (RFC 9110 §7.6.1).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// removeHopByHop deletes hop-by-hop headers, including those the Connection header names.
func removeHopByHop(h http.Header) {
	for _, v := range h.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, f := range hopByHop {
		h.Del(f)
	}
}
