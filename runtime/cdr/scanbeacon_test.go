package cdr

import (
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// A large SYN scan followed by a day of beaconing: the scan's probes (more of them than
// the beacon tracker's 20000 pairs) are not conversations, so they must not take the
// tracker's room, and the beacon that follows is still reported. Before probes were kept
// out, every reset probe became a pair of its own for the 24-hour window and the beacon's
// connections were dropped.
func TestLargeScanDoesNotCrowdOutABeacon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scan-then-beacon.pcap")
	w, err := synth.CreatePcap(path)
	if err != nil {
		t.Fatal(err)
	}
	const probes = 25_000 // above the default max_pairs of the beacon tracker (20000)
	scanner := netip.MustParseAddr("203.0.113.66")
	at := day0
	for i := range probes {
		src := netip.AddrPortFrom(scanner, 61543)
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 5, byte(i / 1000 / 250), byte(1 + i/1000%250)}), uint16(1+i%1000))
		for _, seg := range []synth.TCPSegment{{Src: src, Dst: dst, SYN: true, Window: 1024}, {Src: dst, Dst: src, RST: true, ACK: true}} {
			if err := w.Write(at, synth.TCP(seg)); err != nil {
				t.Fatal(err)
			}
			at = at.Add(50 * time.Microsecond)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	implant := netip.MustParseAddrPort("10.1.0.5:40000")
	c2 := netip.MustParseAddrPort("198.51.100.7:443")
	for end := at.Add(24 * time.Hour); at.Before(end); at = at.Add(time.Duration(float64(time.Minute) * (0.9 + 0.2*rng.Float64()))) {
		if err := w.Conversation(at, implant, c2, make([]byte, 180), make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	_, got := replay(t, path, defaultConfig(t, nil))
	byType := map[string]int{}
	beacon := false
	for _, f := range got {
		byType[f.Type]++
		if f.Type == findings.TypeBeacon && f.Source == implant.Addr().String() && f.Destination == c2.String() {
			beacon = true
		}
	}
	if byType[findings.TypePortScan]+byType[findings.TypeAddressScan]+byType[findings.TypeRandomScan] == 0 {
		t.Errorf("findings %v: want the scan reported", byType)
	}
	if !beacon {
		t.Errorf("findings %v: want a c2_beacon finding for %s → %s after the scan", byType, implant.Addr(), c2)
	}
}
