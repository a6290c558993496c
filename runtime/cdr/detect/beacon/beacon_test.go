package beacon

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

var day0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func TestScoreTable(t *testing.T) {
	tests := []struct {
		name     string
		times    []float64
		sizes    []float64
		min, max float64
	}{
		{"perfect beacon", seq(0, 60, 50), constant(512, 50), 0.99, 1.0001},
		{"too few connections", []float64{0, 60, 120}, constant(1, 3), 0, 0},
		{"regular timing, random sizes", seq(0, 60, 50), spread(50), 0.85, 0.97},
		{"unsorted input is sorted", []float64{180, 0, 120, 60, 240}, constant(10, 5), 0.99, 1.0001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Score(tt.times, tt.sizes, nil)
			if s.Score < tt.min || s.Score > tt.max {
				t.Errorf("score %.3f, want %.2f-%.2f (%+v)", s.Score, tt.min, tt.max, s)
			}
		})
	}
}

func seq(start, step float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = start + float64(i)*step
	}
	return out
}

func constant(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func spread(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(100 + (i*7919)%900)
	}
	return out
}

// TestBeaconVersusPoisson is the synthetic stream: a 24-hour beacon every 60 s ±
// 10% (uniform jitter, sizes ± 5%) must score at least 0.9, while 40 background pairs with
// Poisson-timed connections (mean gaps 20 s to 15 min, log-normal sizes, and some with
// constant sizes) score at most 0.75. Only the beacon becomes a report.
func TestBeaconVersusPoisson(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	tr := NewTracker(Config{Threshold: 0.85})
	src := netip.MustParseAddr("10.0.0.5")
	beaconKey := PairKey{Src: src, Dst: netip.MustParseAddr("198.51.100.7"), Port: 443}
	for at := 0.0; at < 86400; at += 60 * (0.9 + 0.2*r.Float64()) {
		tr.Add(beaconKey, day0.Add(time.Duration(at*float64(time.Second))), uint64(500*(0.95+0.1*r.Float64())))
	}
	var background []PairKey
	for i := 0; i < 40; i++ {
		k := PairKey{Src: src, Dst: netip.AddrFrom4([4]byte{203, 0, 113, byte(i + 1)}), Port: 443}
		background = append(background, k)
		mean := 20 + float64(i)*22 // 20 s … 878 s
		constantSize := i%4 == 0   // a poller with a fixed request size, random timing
		for at := r.ExpFloat64() * mean; at < 86400; at += r.ExpFloat64() * mean {
			size := uint64(300)
			if !constantSize {
				size = uint64(200 + 3000*r.ExpFloat64())
			}
			tr.Add(k, day0.Add(time.Duration(at*float64(time.Second))), size)
		}
	}
	bs, n := tr.ScorePair(beaconKey)
	if bs.Score < 0.9 {
		t.Errorf("beacon scored %.3f over %d connections, want >= 0.9 (%+v)", bs.Score, n, bs)
	}
	worst := 0.0
	for _, k := range background {
		s, n := tr.ScorePair(k)
		worst = max(worst, s.Score)
		if s.Score > 0.75 {
			t.Errorf("background pair %s scored %.3f over %d connections, want <= 0.75 (%+v)", k.Dst, s.Score, n, s)
		}
	}
	t.Logf("beacon %.3f, worst background %.3f", bs.Score, worst)
	reports := tr.ScoreAll(day0.Add(24 * time.Hour))
	if len(reports) != 1 || reports[0].Key != beaconKey {
		t.Fatalf("reports = %+v, want only the beacon", reports)
	}
}

func TestTrackerBounds(t *testing.T) {
	tr := NewTracker(Config{MaxPairs: 2, MaxSamples: 20, MinConnections: 20})
	for i := 0; i < 3; i++ {
		tr.Add(PairKey{Port: uint16(i)}, day0, 1)
	}
	if tr.Pairs() != 2 || tr.Dropped() != 1 {
		t.Errorf("pairs %d dropped %d, want 2 and 1", tr.Pairs(), tr.Dropped())
	}
	k := PairKey{Port: 0}
	for i := 0; i < 100; i++ {
		tr.Add(k, day0.Add(time.Duration(i)*time.Minute), 1)
	}
	if _, n := tr.ScorePair(k); n != 20 {
		t.Errorf("remembered %d samples, want the newest 20", n)
	}
	// Everything is older than the 24 h window a day later: the pairs are forgotten.
	tr.ScoreAll(day0.Add(72 * time.Hour))
	if tr.Pairs() != 0 {
		t.Errorf("%d pairs left after the window, want 0", tr.Pairs())
	}
}
