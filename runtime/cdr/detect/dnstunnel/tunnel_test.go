package dnstunnel

import (
	"encoding/base32"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func TestTunnelStreams(t *testing.T) {
	client := netip.MustParseAddr("10.0.0.7")
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	tests := []struct {
		name  string
		query func(i int) (string, uint16)
		n     int
		want  bool
	}{
		{"iodine-like NULL queries with long labels", func(i int) (string, uint16) {
			chunk := enc.EncodeToString([]byte(fmt.Sprintf("secret data block %04d....", i)))
			return strings.ToLower(chunk) + ".t.evil.example", 10
		}, 200, true},
		{"dnscat-like TXT queries, short labels", func(i int) (string, uint16) {
			return fmt.Sprintf("%08x.c.tunnel.example", i*7919), 16
		}, 200, true},
		{"CDN edge names: many unique, short, A records", func(i int) (string, uint16) {
			return fmt.Sprintf("e%d.a.akamaiedge.net", i), 1
		}, 200, false},
		{"a few long names", func(i int) (string, uint16) {
			return fmt.Sprintf("%s.example.org", strings.Repeat("a", 30)+fmt.Sprint(i)), 1
		}, 20, false},
		{"repeated lookups of one name", func(i int) (string, uint16) {
			return "www.example.com", 16
		}, 500, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(Config{})
			found := false
			for i := 0; i < tt.n; i++ {
				name, qtype := tt.query(i)
				if r, ok := tr.Query(0, client, name, qtype, t0.Add(time.Duration(i)*time.Second)); ok {
					if found {
						t.Fatal("reported twice")
					}
					found = true
					if r.Unique < 50 && r.Bytes < 65536 {
						t.Errorf("report %+v below both thresholds", r)
					}
				}
			}
			if found != tt.want {
				t.Errorf("tunnel found = %v, want %v", found, tt.want)
			}
		})
	}
}

func TestVolumeRule(t *testing.T) {
	tr := NewTracker(Config{MaxBytes: 1000, UniqueNames: 1000})
	client := netip.MustParseAddr("10.0.0.7")
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("%030d.x.example", i)
		if _, ok := tr.Query(0, client, name, 1, t0); ok {
			if i < 32 {
				t.Errorf("reported after %d bytes, want >= 1000", (i+1)*32)
			}
			return
		}
	}
	t.Error("1280 bytes of subdomains to one domain were not reported")
}

func TestLongestLabel(t *testing.T) {
	for name, want := range map[string]int{"": 0, "a.bc.def": 3, "abcd": 4, "x..yy": 2} {
		if got := LongestLabel(name); got != want {
			t.Errorf("LongestLabel(%q) = %d, want %d", name, got, want)
		}
	}
}
