package cacheport

import (
	"io"
	"net/http"
	"testing"
)

// benchmarkCacheHit measures hits of a 1 MB object through the cache port (keep-alive).
func benchmarkCacheHit(b *testing.B, intercepted bool) {
	body := pattern(1 << 20)
	origin := startOrigin(b, intercepted, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write(body)
	})
	gw := startGateway(b, origin, nil)
	c := gw.client(b)
	target := origin.URL + "/object-1mb"
	if intercepted {
		target = "https://" + originHost + "/object-1mb"
	}
	get(b, c, target) // fill the cache
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Get(target)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n != int64(len(body)) || resp.Header.Get("X-Cache") != "HIT" {
			b.Fatalf("got %d bytes, X-Cache %q", n, resp.Header.Get("X-Cache"))
		}
	}
	b.StopTimer()
	if origin.requests.Load() != 1 {
		b.Fatalf("origin got %d requests, want 1", origin.requests.Load())
	}
}

func BenchmarkCacheHitPlain(b *testing.B)       { benchmarkCacheHit(b, false) }
func BenchmarkCacheHitIntercepted(b *testing.B) { benchmarkCacheHit(b, true) }
