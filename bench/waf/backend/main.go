// Command backend is the upstream application of `make bench-waf`: it answers every
// request with 200 and a small body, after reading the request body, as a minimal real
// application would. It runs as its own process so that its CPU time is measured apart
// from the WAF in front of it.
//
// GET /__bench/served answers the number of requests served so far (itself excluded), so
// the harness can count the requests that reached the backend during a measurement window.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// ServedPath is the counter endpoint; the harness reads it directly, never through a WAF.
const ServedPath = "/__bench/served"

var responseBody = []byte("ok\n")

// handler is the application: it counts and answers every request but the counter's.
type handler struct {
	served atomic.Int64
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == ServedPath {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, h.served.Load())
		return
	}
	// Drain the body so the connection can be reused, as a real application's parser would.
	_, _ = io.Copy(io.Discard, r.Body)
	h.served.Add(1)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(responseBody)))
	_, _ = w.Write(responseBody)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:18080", "loopback address to serve on")
	flag.Parse()

	srv := &http.Server{
		Addr:              *listen,
		Handler:           &handler{},
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "backend:", err)
		os.Exit(1)
	}
}
