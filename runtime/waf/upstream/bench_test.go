package upstream

import (
	"fmt"
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
