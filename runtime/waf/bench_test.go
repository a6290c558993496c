package waf_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkProxy measures a request end to end through the WAF on loopback: client →
// rampart-waf (routing, inspection, proxying) → backend. Bounded by b.N like every
// benchmark; run with -benchtime to choose the count.
func BenchmarkProxy(b *testing.B) {
	backend := startBackend(b, "app")
	w := startWAF(b, simpleConfig("block", backend.address()))
	off := startWAF(b, simpleConfig("off", backend.address()))
	transport := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}
	b.Cleanup(transport.CloseIdleConnections)
	benchClient := &http.Client{Transport: transport}

	cases := []struct{ name, base, target string }{
		{"benign", w.url, "/products/42?sort=price&order=asc&q=red+shoes"},
		{"attack", w.url, "/products?id=1%20UNION%20SELECT%20password%20FROM%20users"},
		// Rules off: what proxying alone costs.
		{"rules-off", off.url, "/products/42?sort=price&order=asc&q=red+shoes"},
	}
	for _, c := range cases {
		req, err := http.NewRequest(http.MethodGet, c.base+c.target, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := benchClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
