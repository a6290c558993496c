package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// The origin's objects, one per row.
const (
	downloadPath = "/download" // 50 MB, never cached: the tunnel throughput row
	smallPath    = "/small"    // 100 bytes, never cached: requests over tunnels
	objectPath   = "/object"   // 1 MB, cacheable for an hour: the cache-hit rows

	downloadSize = 50 << 20
	smallSize    = 100
	objectSize   = 1 << 20
)

// origin is the web server behind both proxies, on loopback, in this process: plain HTTP
// for the cache row over HTTP and HTTPS (HTTP/1.1 only, so that both proxies talk to it
// alike) for the tunnel and interception rows. It counts the requests per object, which
// tells whether a proxy really answered from its cache.
type origin struct {
	HTTPAddr, TLSAddr string // 127.0.0.1:port

	download, small, object []byte
	counts                  map[string]*atomic.Int64
	servers                 []*http.Server
}

// startOrigin serves on httpAddr and tlsAddr until close.
func startOrigin(httpAddr, tlsAddr string, cert tls.Certificate) (*origin, error) {
	o := &origin{
		HTTPAddr: httpAddr,
		TLSAddr:  tlsAddr,
		download: pseudoRandom(downloadSize, 1),
		small:    pseudoRandom(smallSize, 2),
		object:   pseudoRandom(objectSize, 3),
		counts:   map[string]*atomic.Int64{downloadPath: {}, smallPath: {}, objectPath: {}},
	}
	quiet := log.New(discard{}, "", 0) // clients cut off at the end of a window are expected
	for _, addr := range []string{httpAddr, tlsAddr} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("origin: listen on %s: %w", addr, err)
		}
		srv := &http.Server{
			Handler:           o,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       10 * time.Minute, // the capacity row keeps tunnels idle for a while
			ErrorLog:          quiet,
			// No HTTP/2: Squid speaks HTTP/1.1 to origins, so the gateway does too here.
			TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		}
		if addr == tlsAddr {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
		o.servers = append(o.servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Printf("gatewaybench: origin on %s stopped: %v", addr, err)
			}
		}()
	}
	return o, nil
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	switch r.URL.Path {
	case downloadPath:
		body = o.download
		w.Header().Set("Cache-Control", "no-store")
	case smallPath:
		body = o.small
		w.Header().Set("Cache-Control", "no-store")
	case objectPath:
		body = o.object
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("ETag", `"object-v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
	default:
		http.NotFound(w, r)
		return
	}
	o.counts[r.URL.Path].Add(1)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// served is how many requests for path the origin has answered.
func (o *origin) served(path string) int64 { return o.counts[path].Load() }

func (o *origin) close() {
	for _, s := range o.servers {
		_ = s.Close()
	}
}

// pseudoRandom is n bytes that do not compress, the same for a seed on every run.
func pseudoRandom(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
