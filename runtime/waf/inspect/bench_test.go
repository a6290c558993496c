package inspect

import (
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/rampart-sec/rampart/runtime/memtune"
)

// BenchmarkInspectCRS measures the rule engine alone on the two requests of `make
// bench-waf`: a benign GET with four query arguments (Host: localhost, so 920350 does not
// fire) and a 2 KB JSON POST with 118 fields, under CRS v4 at paranoia level 1, blocking.
// The collector runs at the binary's setting (memtune.GCPercent, unless GOGC is set), so
// that cpu-µs/op, garbage collection included, is what rampart-waf spends.
func BenchmarkInspectCRS(b *testing.B) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(memtune.GCPercent))
	}
	in := inspectorFor(b, nil)
	order := orderJSON(b)
	cases := []struct {
		name string
		req  *http.Request
		body []byte
	}{
		{"benign-get", newRequest(http.MethodGet, "/products/42/reviews?sort=price&order=asc&page=3&q=red+running+shoes", "", nil), nil},
		{"json-post-2k", newRequest(http.MethodPost, "/api/orders", "application/json", order), order},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if v := inspect(in, c.req, c.body); v.Matched() {
				b.Fatalf("benign request matched: %+v", v.Matches)
			}
			runtime.GC() // the compilation's garbage is not this benchmark's
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				tx := in.InspectRequest(c.req, c.body, "bench")
				tx.Close()
			}
		})
	}
}
