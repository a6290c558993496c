package stats

import (
	"net/netip"
	"testing"
	"time"
)

func TestWindowForgetsAfterThePeriod(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	w := NewWindow(time.Hour)
	w.now = func() time.Time { return now }
	w.Seen(netip.MustParseAddr("10.0.0.1"))
	w.Seen(netip.MustParseAddr("10.0.0.2"))
	w.Seen(netip.MustParseAddr("::ffff:10.0.0.1")) // the same client over IPv4-mapped IPv6
	if got := w.Count(); got != 2 {
		t.Fatalf("Count = %d, want 2", got)
	}
	now = now.Add(40 * time.Minute)
	w.Seen(netip.MustParseAddr("10.0.0.2"))
	now = now.Add(30 * time.Minute) // 10.0.0.1 last seen 70 minutes ago
	if got := w.Count(); got != 1 {
		t.Fatalf("Count after 70 minutes = %d, want 1 (only 10.0.0.2, seen 30 minutes ago)", got)
	}
}

func TestDomainsAreBounded(t *testing.T) {
	s := New()
	for i := range MaxDomains + 10 {
		s.Domain(string(rune('a'+i%26)) + time.Duration(i).String()).Requests.Add(1)
	}
	d := s.Domains()
	if len(d) != MaxDomains+1 {
		t.Fatalf("%d domains tracked, want %d plus %s", len(d), MaxDomains, OtherDomains)
	}
	if d[0].Domain != OtherDomains || d[0].Requests != 10 {
		t.Fatalf("busiest = %+v, want %s with 10 requests", d[0], OtherDomains)
	}
}
