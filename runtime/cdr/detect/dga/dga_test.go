package dga

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestIsGeneratedTable(t *testing.T) {
	tests := []struct {
		label string
		want  bool
	}{
		{"google", false},         // short: never judged
		{"stackoverflow", false},  // human
		{"washingtonpost", false}, // human, long
		{"nationalgeographic", false},
		{"xjwqpzkvhtrb", true},     // random letters
		{"a8f3c9e1b7d24f60", true}, // hex digest
		{"qx7k2mz9vw4p", true},     // letters and digits
		{"kdjfhqpwoeirut", true},
	}
	for _, tt := range tests {
		f := Measure(tt.label)
		if got := f.IsGenerated(); got != tt.want {
			t.Errorf("%s: IsGenerated = %v, want %v (%+v)", tt.label, got, tt.want, f)
		}
	}
}

// TestGeneratedVersusPopular measures both error rates on names the model never saw:
// 3000 names from three DGA styles and the held-out popular names.
func TestGeneratedVersusPopular(t *testing.T) {
	missed := 0
	gen := generatedLabels(3000, 1)
	for _, l := range gen {
		if !Measure(l).IsGenerated() {
			missed++
		}
	}
	falsePos := 0
	pop := heldOutPopular(t)
	for _, l := range pop {
		if Measure(l).IsGenerated() {
			falsePos++
			t.Logf("popular name judged generated: %s %+v", l, Measure(l))
		}
	}
	t.Logf("%d passed, %d failed (generated missed %d/%d, popular flagged %d/%d)",
		len(gen)+len(pop)-missed-falsePos, missed+falsePos, missed, len(gen), falsePos, len(pop))
	if float64(missed) > 0.02*float64(len(gen)) {
		t.Errorf("missed %d of %d generated names, want at most 2%%", missed, len(gen))
	}
	if float64(falsePos) > 0.02*float64(len(pop)) {
		t.Errorf("flagged %d of %d popular names, want at most 2%%", falsePos, len(pop))
	}
}

func TestTrackerStreams(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	infected := ClientKey{Client: netip.MustParseAddr("10.0.0.9")}
	browsing := ClientKey{Client: netip.MustParseAddr("10.0.0.10")}
	tr := NewTracker(Config{})
	var report Report
	found := 0
	for i, l := range generatedLabels(50, 3) {
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		if r, ok := tr.Response(infected, l+".com", i%5 != 0, at); ok {
			report, found = r, found+1
		}
		for _, p := range heldOutPopular(t)[i*2 : i*2+2] {
			if _, ok := tr.Response(browsing, "www."+p+".com", false, at); ok {
				t.Errorf("browsing client reported after %s", p)
			}
		}
	}
	if found != 1 {
		t.Fatalf("infected client reported %d times, want once", found)
	}
	// Mostly NXDOMAIN: half of MinNames suffices.
	if report.Names != 5 || report.NXRatio() < 0.5 {
		t.Errorf("report %+v: want 5 names with an NXDOMAIN ratio >= 0.5", report)
	}

	// Resolving names: the full MinNames are needed, within the window.
	tr = NewTracker(Config{MinNames: 10, Window: time.Hour})
	for i, l := range generatedLabels(9, 4) {
		if _, ok := tr.Response(infected, fmt.Sprintf("%s.net", l), false, t0.Add(time.Duration(i)*time.Minute)); ok {
			t.Fatalf("reported after %d resolving names, want 10", i+1)
		}
	}
	tr.Expire(t0.Add(3 * time.Hour)) // all forgotten
	if _, ok := tr.Response(infected, "zqxjkvbwpmtr.net", false, t0.Add(3*time.Hour)); ok {
		t.Error("reported after the window expired")
	}
}
