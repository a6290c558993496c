package waf_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
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
	// A JSON order of about 2 KB, like bench/waf's POST.
	jsonBody := []byte(`{"order":[` + strings.Repeat(`{"sku":"MUG-BLUE-350","name":"Blue mug","qty":2,"price":12.5},`, 31) + `{}]}`)

	cases := []struct {
		name, base, target string
		body               []byte // POSTed as JSON when set
	}{
		{"benign", w.url, "/products/42?sort=price&order=asc&q=red+shoes", nil},
		{"attack", w.url, "/products?id=1%20UNION%20SELECT%20password%20FROM%20users", nil},
		// Rules off: what proxying alone costs.
		{"rules-off", off.url, "/products/42?sort=price&order=asc&q=red+shoes", nil},
		{"rules-off-post", off.url, "/api/orders", jsonBody},
	}
	for _, c := range cases {
		newRequest := func() *http.Request {
			method, body := http.MethodGet, io.Reader(nil)
			if c.body != nil {
				method, body = http.MethodPost, bytes.NewReader(c.body)
			}
			req, err := http.NewRequest(method, c.base+c.target, body)
			if err != nil {
				b.Fatal(err)
			}
			if c.body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			req := newRequest()
			for b.Loop() {
				if c.body != nil {
					req = newRequest() // a body is read once
				}
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
