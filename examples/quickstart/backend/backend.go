// Package backend is the tiny application the quickstart's WAF protects: it answers every
// request with a greeting and serves /healthz for the WAF's health check.
package backend

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// Handler answers like a small web shop would.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "hello from the shop backend: %s %s\n", r.Method, r.URL.RequestURI())
	})
	return mux
}

// Start serves Handler on addr (use 127.0.0.1:0 for any free port) and returns the server
// and the address it listens on.
func Start(addr string) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("backend listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr().String(), nil
}
