package inspect

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func BenchmarkInspect(b *testing.B) {
	rules := NewRuleSet(1)
	cases := []struct{ name, target string }{
		{"benign", "/products/42/reviews?sort=price&order=asc&page=3&q=red+running+shoes"},
		{"attack", "/products?id=1%20UNION%20SELECT%20password%20FROM%20users"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, c.target, nil)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rules.Inspect(r, nil)
			}
		})
	}
}
