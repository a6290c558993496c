package upstream

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func benchmarkSelect(b *testing.B, policy string) {
	var ms []config.Member
	for i := range 8 {
		ms = append(ms, config.Member{Address: fmt.Sprintf("10.0.0.%d:8080", i+1), Weight: 1 + i%3})
	}
	p := newTestPool(b, config.Pool{Name: "bench", LoadBalancing: policy, Members: ms})
	r := requestFrom("198.51.100.23")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if p.Pick(r) == nil {
				b.Fatal("no member picked")
			}
		}
	})
}

func BenchmarkSelectRoundRobin(b *testing.B) { benchmarkSelect(b, "roundrobin") }
func BenchmarkSelectLeastConn(b *testing.B)  { benchmarkSelect(b, "leastconn") }
func BenchmarkSelectSource(b *testing.B)     { benchmarkSelect(b, "source") }

// BenchmarkProxy compares the lean HTTP/1.1 path with httputil.ReverseProxy +
// http.Transport on a real loopback round trip (client → front → member), for the two
// requests of make bench-waf. The time includes the client and the member: compare the
// two paths with each other, not with the figures of the side-by-side benchmark.
func BenchmarkProxy(b *testing.B) {
	member := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok\n")
	}))
	defer member.Close()
	address := strings.TrimPrefix(member.URL, "http://")
	paths := map[string]PoolOptions{
		"lean":         {},
		"reverseproxy": {Transport: reverseProxyOnly{NewTransport()}},
	}
	body := bytes.Repeat([]byte(`{"sku":"SKU-10000","qty":1},`), 73) // about 2 KB
	for _, name := range []string{"lean", "reverseproxy"} {
		p := newTestPool(b, config.Pool{Name: name, Members: members(address)}, paths[name])
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.Pick(r).ServeHTTP(w, r)
		}))
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		for _, c := range []struct {
			name, method string
			body         []byte
		}{{"get", http.MethodGet, nil}, {"post-2k", http.MethodPost, body}} {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req, _ := http.NewRequest(c.method, front.URL+"/search?q=blue+mug&page=2", bytes.NewReader(c.body))
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			})
		}
		front.Close()
	}
}
