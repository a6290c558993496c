package scan

import (
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestScanKinds(t *testing.T) {
	scanner := addr("192.168.2.154")
	tests := []struct {
		name      string
		threshold int
		targets   func(i int) Target
		n         int
		wantKind  string // "" = no report
	}{
		{"port scan at threshold 5", 5, func(i int) Target { return Target{addr("192.168.2.22"), uint16(20 + i)} }, 10, KindPort},
		{"address scan", 25, func(i int) Target { return Target{netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 22} }, 30, KindAddress},
		{"random scan", 25, func(i int) Target { return Target{netip.AddrFrom4([4]byte{10, 0, 2, byte(i)}), uint16(1000 + i)} }, 30, KindRandom},
		{"below threshold", 25, func(i int) Target { return Target{addr("10.0.0.1"), uint16(i)} }, 24, ""},
		{"repeats of one pair are one", 5, func(i int) Target { return Target{addr("10.0.0.1"), 80} }, 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(Config{Threshold: tt.threshold})
			var got []Report
			for i := 0; i < tt.n; i++ {
				if r, ok := d.Failed(Attempt{Time: t0.Add(time.Duration(i) * time.Second), Src: scanner, Dst: tt.targets(i), NmapSYN: true}); ok {
					got = append(got, r)
				}
			}
			if tt.wantKind == "" {
				if len(got) != 0 {
					t.Fatalf("reports %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d reports, want exactly 1", len(got))
			}
			r := got[0]
			if r.Kind != tt.wantKind || r.Scanner != scanner || r.Unique != tt.threshold || r.NmapSYN != tt.threshold {
				t.Errorf("report %+v, want kind %s, %d unique, %d nmap SYNs", r, tt.wantKind, tt.threshold, tt.threshold)
			}
			if r.Kind == KindPort && r.Victim != addr("192.168.2.22") {
				t.Errorf("victim %s", r.Victim)
			}
			if r.Kind == KindAddress && r.Port != 22 {
				t.Errorf("port %d", r.Port)
			}
		})
	}
}

func TestWindowForgets(t *testing.T) {
	d := New(Config{Threshold: 5, Window: 15 * time.Minute})
	src := addr("10.9.9.9")
	for i := 0; i < 4; i++ {
		d.Failed(Attempt{Time: t0, Src: src, Dst: Target{addr("10.0.0.1"), uint16(i)}})
	}
	d.Expire(t0.Add(16 * time.Minute))
	if _, ok := d.Failed(Attempt{Time: t0.Add(16 * time.Minute), Src: src, Dst: Target{addr("10.0.0.1"), 99}}); ok {
		t.Error("attempts older than the window still counted")
	}
}

func TestMemoryBound(t *testing.T) {
	d := New(Config{Threshold: 5, MaxSources: 2})
	for i := 0; i < 3; i++ {
		d.Failed(Attempt{Time: t0, Src: netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), Dst: Target{addr("10.1.1.1"), 1}})
	}
	if d.Dropped() != 1 {
		t.Errorf("dropped %d, want 1", d.Dropped())
	}
}

func TestIsNmapSYN(t *testing.T) {
	if !IsNmapSYN(1024, 0) || IsNmapSYN(1024, 1) || IsNmapSYN(64240, 0) {
		t.Error("nmap fingerprint is window 1024 with no options")
	}
}

func BenchmarkFailedSteadyState(b *testing.B) {
	d := New(Config{Threshold: 25})
	src := addr("10.0.0.1")
	for p := 0; p < 1000; p++ {
		d.Failed(Attempt{Time: t0, Src: src, Dst: Target{addr("10.0.0.2"), uint16(p)}})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Failed(Attempt{Time: t0, Src: src, Dst: Target{addr("10.0.0.2"), uint16(i % 1000)}})
	}
}
