package cacheport

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// TestInterceptedCacheHit: CONNECT, TLS with a minted certificate the client verifies
// against the gateway's CA, the origin verified against its own test CA, and the second
// request served from memory.
func TestInterceptedCacheHit(t *testing.T) {
	body := pattern(1 << 20)
	origin := startOrigin(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(body)
	})
	gw := startGateway(t, origin, nil)
	c := gw.client(t)
	for i, want := range []string{"MISS", "HIT", "HIT"} {
		resp, got := get(t, c, "https://"+originHost+"/agent.bin")
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("request %d: status %d, %d bytes; want 200 and the origin's %d bytes", i, resp.StatusCode, len(got), len(body))
		}
		if x := resp.Header.Get("X-Cache"); x != want {
			t.Errorf("request %d: X-Cache %q, want %q", i, x, want)
		}
		if resp.TLS == nil || resp.TLS.PeerCertificates[0].Subject.CommonName != originHost {
			t.Errorf("request %d: the client did not get a certificate minted for %s", i, originHost)
		}
	}
	if n := origin.requests.Load(); n != 1 {
		t.Errorf("origin got %d requests, want 1", n)
	}
	st := gw.Stats()
	if st.Hits != 2 || st.Misses != 1 || st.BytesFromCache != uint64(2*len(body)) || st.Objects != 1 {
		t.Errorf("stats = %+v; want 2 hits, 1 miss, %d bytes from cache, 1 object", st, 2*len(body))
	}
}

// TestVaryAcceptEncoding: an object that varies by Accept-Encoding is never sent to a
// client that asked for another encoding, however the requests interleave.
func TestVaryAcceptEncoding(t *testing.T) {
	plain := bytes.Repeat([]byte("agent artifact "), 1000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		w.Header().Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
			return
		}
		_, _ = w.Write(plain)
	})
	gw := startGateway(t, origin, nil)
	c := gw.client(t)
	cases := []struct {
		acceptEncoding string // "" sends none
		wantGzip       bool
	}{
		{"gzip", true}, {"", false}, {"identity", false}, {"gzip", true}, {"", false},
		{"br, gzip", true}, {"identity", false}, {"gzip", true}, {"br,gzip", true},
	}
	for i, tc := range cases {
		var headers []string
		if tc.acceptEncoding != "" {
			headers = append(headers, "Accept-Encoding: "+tc.acceptEncoding)
		}
		resp, got := get(t, c, origin.URL+"/v", headers...)
		isGzip := resp.Header.Get("Content-Encoding") == "gzip"
		if isGzip != tc.wantGzip {
			t.Fatalf("request %d (Accept-Encoding %q): Content-Encoding %q (X-Cache %s); want gzip=%v",
				i, tc.acceptEncoding, resp.Header.Get("Content-Encoding"), resp.Header.Get("X-Cache"), tc.wantGzip)
		}
		want := plain
		if tc.wantGzip {
			want = gz.Bytes()
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("request %d: body of %d bytes does not match the %v encoding", i, len(got), tc.wantGzip)
		}
	}
	// gzip, none, identity and "br, gzip" are four variants; "br,gzip" is the same as "br, gzip".
	if n := origin.requests.Load(); n != 4 {
		t.Errorf("origin got %d requests, want 4 (one per variant)", n)
	}
}

// TestCacheControl: what may not be stored is fetched every time; revalidation with
// ETag answers from the cache after a 304.
func TestCacheControl(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/no-store":
			w.Header().Set("Cache-Control", "no-store")
		case "/private":
			w.Header().Set("Cache-Control", "private, max-age=600")
		case "/etag":
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		case "/s-maxage":
			w.Header().Set("Cache-Control", "max-age=0, s-maxage=600")
		}
		_, _ = fmt.Fprintf(w, "body of %s", r.URL.Path)
	})
	gw := startGateway(t, origin, nil)
	c := gw.client(t)
	tests := []struct {
		path       string
		wantOrigin int64 // origin requests for three client requests
		wantLast   string
	}{
		{"/no-store", 3, "MISS"},
		{"/private", 3, "MISS"},
		{"/etag", 3, "REVALIDATED"},
		{"/s-maxage", 1, "HIT"},
	}
	for _, tt := range tests {
		before := origin.requests.Load()
		var last *http.Response
		for range 3 {
			resp, got := get(t, c, origin.URL+tt.path)
			if string(got) != "body of "+tt.path {
				t.Fatalf("%s: body %q", tt.path, got)
			}
			last = resp
		}
		if n := origin.requests.Load() - before; n != tt.wantOrigin {
			t.Errorf("%s: origin got %d requests for 3, want %d", tt.path, n, tt.wantOrigin)
		}
		if x := last.Header.Get("X-Cache"); x != tt.wantLast {
			t.Errorf("%s: last X-Cache %q, want %q", tt.path, x, tt.wantLast)
		}
	}
}

// TestRefreshRule: a typed refresh rule gives freshness to a response without any.
func TestRefreshRule(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "package index")
	})
	cfg := config.Config{Cache: &config.Cache{RefreshRules: []config.RefreshRule{{Pattern: `/dists/.*\.gz$`, Min: "10m", Max: "1h"}}}}
	gw := startGateway(t, origin, &cfg)
	c := gw.client(t)
	for range 3 {
		get(t, c, origin.URL+"/dists/Packages.gz")
		get(t, c, origin.URL+"/other")
	}
	if n := origin.requests.Load(); n != 1+3 {
		t.Errorf("origin got %d requests, want 4: one for the rule's URL, three for the other", n)
	}
}

// TestPolicy: the domain policy refuses with 403, for CONNECT and plain requests.
func TestPolicy(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") })
	gw := startGateway(t, origin, nil)
	c := gw.client(t)
	resp, _ := get(t, c, "http://denied.test/x")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("plain request to denied.test: status %d, want 403", resp.StatusCode)
	}
	if _, err := c.Get("https://denied.test/x"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("CONNECT denied.test: error %v, want the proxy's 403", err)
	}
	if origin.requests.Load() != 0 {
		t.Errorf("the origin was reached for a denied host")
	}
	if gw.Stats().Denied != 2 {
		t.Errorf("denied = %d, want 2", gw.Stats().Denied)
	}
}

// TestUnknownLengthAndObjectLimit: a response without Content-Length is cached once it
// ended within max_object_size; a larger one is served but never kept.
func TestUnknownLengthAndObjectLimit(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		n := 1000
		if r.URL.Path == "/big" {
			n = 5000
		}
		for range n / 100 { // flushed pieces: chunked, no Content-Length
			_, _ = w.Write(bytes.Repeat([]byte("z"), 100))
			w.(http.Flusher).Flush()
		}
	})
	gw := startGateway(t, origin, &config.Config{Cache: &config.Cache{MaxObjectSize: "2KB"}})
	c := gw.client(t)
	for _, tc := range []struct {
		path     string
		size     int
		wantLast string
		requests int64
	}{{"/small", 1000, "HIT", 1}, {"/big", 5000, "MISS", 3}} {
		before := origin.requests.Load()
		var last *http.Response
		for range 3 {
			resp, got := get(t, c, origin.URL+tc.path)
			if len(got) != tc.size {
				t.Fatalf("%s: %d bytes, want %d", tc.path, len(got), tc.size)
			}
			last = resp
		}
		if n := origin.requests.Load() - before; n != tc.requests || last.Header.Get("X-Cache") != tc.wantLast {
			t.Errorf("%s: %d origin requests, last X-Cache %q; want %d and %q", tc.path, n, last.Header.Get("X-Cache"), tc.requests, tc.wantLast)
		}
	}
}
