package cacheport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/cache"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// FuzzCacheRequest feeds raw requests to the cache port's handling, on the port and inside
// an intercepted tunnel, with cached objects to hit and patch mode on. The origin is
// unreachable (the dialer fails), so misses answer 502. It must never panic.
func FuzzCacheRequest(f *testing.F) {
	seeds := []string{
		"GET http://origin.test/cached HTTP/1.1\r\nHost: origin.test\r\n\r\n",
		"GET http://origin.test/cached HTTP/1.1\r\nHost: origin.test\r\nRange: bytes=0-1,5-3,-2\r\n\r\n",
		"GET http://origin.test/cached HTTP/1.1\r\nHost: origin.test\r\nIf-None-Match: \"v\"\r\nCache-Control: max-age=0, only-if-cached\r\n\r\n",
		"GET http://origin.test/vary HTTP/1.1\r\nHost: origin.test\r\nAccept-Encoding: gzip\r\n\r\n",
		"HEAD http://origin.test/cached HTTP/1.1\r\nHost: origin.test\r\n\r\n",
		"GET http://origin.test/kb1.msu HTTP/1.1\r\nHost: origin.test\r\nRange: bytes=10-\r\n\r\n",
		"CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n",
		"CONNECT [::1]:99999 HTTP/1.1\r\nHost: [::1]:99999\r\n\r\n",
		"POST http://origin.test/x HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 3\r\n\r\nabc",
		"GET /relative HTTP/1.1\r\nHost: origin.test\r\n\r\n",
		"TRACE http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n",
		"GET http://denied.test/ HTTP/1.1\r\nHost: denied.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	s, err := New(Options{
		Config:  &config.Config{Patch: &config.Patch{Directory: f.TempDir()}},
		DataDir: f.TempDir(), MemoryLimit: 256 << 20,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("fuzzing: no origin")
		},
		Check: func(host string, port int) error {
			if host == "denied.test" {
				return errors.New("denied")
			}
			return nil
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	s.store.Insert(cache.NewObject("http://origin.test/cached", http.Header{}, 200,
		http.Header{"Etag": {`"v"`}, "Content-Type": {"text/plain"}}, cache.BodyOf([]byte("0123456789")), now, time.Hour))
	s.store.Insert(cache.NewObject("http://origin.test/vary", http.Header{"Accept-Encoding": {"gzip"}}, 200,
		http.Header{"Vary": {"Accept-Encoding"}, "Content-Encoding": {"gzip"}}, cache.BodyOf([]byte("gz")), now, time.Hour))
	tunnel := &tunnelConn{origin: origin{scheme: "https", host: "origin.test", port: 443, checked: true}, client: netip.MustParseAddr("127.0.0.1")}

	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, intercepted := range []bool{false, true} {
			req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
			if err != nil {
				return
			}
			req.RemoteAddr = "127.0.0.1:40000"
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			w := httptest.NewRecorder()
			serve(s, w, req.WithContext(context.WithValue(ctx, tunnelKey{}, tunnel)), intercepted)
			cancel()
			if w.Code < 100 || w.Code > 599 {
				t.Fatalf("status %d", w.Code)
			}
		}
	})
}

// serve runs one request through the handler, treating http.ErrAbortHandler (a broken
// transfer on purpose) as the server does.
func serve(s *Server, w http.ResponseWriter, r *http.Request, intercepted bool) {
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			panic(v)
		}
	}()
	if intercepted {
		s.serveIntercepted(w, r)
	} else {
		s.serveClient(w, r)
	}
}
