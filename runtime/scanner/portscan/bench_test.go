package portscan

import (
	"net/netip"
	"testing"
)

// The SYN scan's hot path: one segment built per probe, one parsed per reply.
func BenchmarkBuildSYN(b *testing.B) {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	var buf [synSegmentLen]byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buildSYN(buf[:], src, dst, 40000, uint16(i), uint32(i))
	}
}

func BenchmarkParseTCPReply(b *testing.B) {
	var buf [synSegmentLen]byte
	seg := buildSYN(buf[:], netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), 40000, 443, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseTCPReply(seg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnectScanLoopback is the connect prober's cost per port on loopback, where
// every port answers at once (reset or accept): the CPU side of a connect scan.
func BenchmarkConnectScanLoopback(b *testing.B) {
	ports := make([]uint16, 1000)
	for i := range ports {
		ports[i] = uint16(30000 + i)
	}
	p := &ConnectProber{Budget: NewBudget(512, 0)}
	b.ReportAllocs()
	for b.Loop() {
		p.ScanHost(b.Context(), netip.MustParseAddr("127.0.0.1"), Options{Ports: ports})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ports)), "ns/port")
}
