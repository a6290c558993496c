package cdr

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// conversation is one TCP connection to write into a synthetic capture.
type conversation struct {
	at                time.Time
	client, server    netip.AddrPort
	request, response []byte
}

func writeConversations(t *testing.T, path string, convs []conversation) {
	t.Helper()
	slices.SortFunc(convs, func(a, b conversation) int { return a.at.Compare(b.at) })
	w, err := synth.CreatePcap(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if err := w.Conversation(c.at, c.client, c.server, c.request, c.response); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A 24-hour beacon every 60 s ± 10% scores at least 0.9, while 40 background pairs with
// Poisson-timed connections of varied sizes stay at or below 0.75: with the beacon
// threshold set to 0.75, only the beacon is reported.
func TestSyntheticBeaconVersusPoissonBackground(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	implant := netip.MustParseAddrPort("10.1.0.5:40000")
	c2 := netip.MustParseAddrPort("198.51.100.7:443")
	var convs []conversation
	for at := day0; at.Before(day0.Add(24 * time.Hour)); at = at.Add(time.Duration(float64(time.Minute) * (0.9 + 0.2*rng.Float64()))) {
		convs = append(convs, conversation{at: at, client: implant, server: c2, request: make([]byte, 180), response: make([]byte, 64)})
	}
	for pair := range 40 {
		client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 2, byte(pair), 10}), 41000)
		server := netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(pair + 1)}), 443)
		mean := time.Duration(5+rng.IntN(20)) * time.Minute
		for at := day0.Add(time.Duration(rng.ExpFloat64() * float64(mean))); at.Before(day0.Add(24 * time.Hour)); at = at.Add(time.Duration(rng.ExpFloat64() * float64(mean))) {
			convs = append(convs, conversation{at: at, client: client, server: server,
				request: make([]byte, 100+rng.IntN(1200)), response: make([]byte, 200+rng.IntN(8000))})
		}
	}
	path := filepath.Join(t.TempDir(), "beacon.pcap")
	writeConversations(t, path, convs)

	_, got := replay(t, path, defaultConfig(t, func(c *config.Config) {
		c.Detections = &config.Detections{Beacon: &config.BeaconDetection{Threshold: 0.75}}
	}))
	best := map[string]float64{}
	for _, f := range got {
		if f.Type != findings.TypeBeacon {
			t.Errorf("unexpected finding %s %s → %s", f.Type, f.Source, f.Destination)
			continue
		}
		score, _ := f.Evidence["score"].(float64)
		best[f.Source+" → "+f.Destination] = max(best[f.Source+" → "+f.Destination], score)
	}
	beacon := implant.Addr().String() + " → " + c2.String()
	t.Logf("best scores per pair: %v", best)
	if best[beacon] < 0.9 {
		t.Errorf("beacon scored %.3f, want ≥ 0.9", best[beacon])
	}
	delete(best, beacon)
	if len(best) > 0 {
		t.Errorf("background pairs scored above 0.75: %v", best)
	}
}

// dnsCapture writes DNS exchanges, one second apart from start.
func dnsCapture(t *testing.T, path string, client netip.AddrPort, names []string, qtype layers.DNSType, rcode layers.DNSResponseCode) {
	t.Helper()
	w, err := synth.CreatePcap(path)
	if err != nil {
		t.Fatal(err)
	}
	resolver := netip.MustParseAddrPort("10.0.0.2:53")
	for i, name := range names {
		id := uint16(i)
		if err := w.DNSExchange(day0.Add(time.Duration(i)*time.Second), client, resolver,
			synth.DNSQuery(id, name, qtype), synth.DNSResponse(id, name, qtype, rcode)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func randomLabel(rng *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

var popularNames = []string{
	"www.google.com", "mail.google.com", "www.wikipedia.org", "en.wikipedia.org", "github.com", "api.github.com",
	"www.amazon.com", "s3.amazonaws.com", "www.microsoft.com", "login.microsoftonline.com", "www.apple.com",
	"www.netflix.com", "www.facebook.com", "www.youtube.com", "www.linkedin.com", "www.debian.org",
	"deb.debian.org", "security.debian.org", "www.cloudflare.com", "www.reddit.com", "news.ycombinator.com",
	"www.bbc.co.uk", "www.nytimes.com", "docs.python.org", "pkg.go.dev", "proxy.golang.org", "www.mozilla.org",
	"addons.mozilla.org", "www.stackoverflow.com", "www.instagram.com",
}

// DGA-like names (random letters, mostly NXDOMAIN) are reported; the same number of
// popular names is not.
func TestSyntheticDGAVersusPopularNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var generated []string
	for range 30 {
		generated = append(generated, randomLabel(rng, 12+rng.IntN(8), "abcdefghijklmnopqrstuvwxyz0123456789")+".com")
	}
	dir := t.TempDir()
	infected := netip.MustParseAddrPort("10.3.0.7:50000")
	dnsCapture(t, filepath.Join(dir, "dga.pcap"), infected, generated, layers.DNSTypeA, layers.DNSResponseCodeNXDomain)
	dnsCapture(t, filepath.Join(dir, "popular.pcap"), netip.MustParseAddrPort("10.3.0.8:50000"), popularNames, layers.DNSTypeA, layers.DNSResponseCodeNoErr)

	_, got := replay(t, filepath.Join(dir, "dga.pcap"), defaultConfig(t, nil))
	if !hasFinding(got, findings.TypeDGA, infected.Addr().String()) {
		t.Errorf("no DGA finding for %s among %v", infected.Addr(), summarise(got))
	}
	if _, quiet := replay(t, filepath.Join(dir, "popular.pcap"), defaultConfig(t, nil)); len(quiet) != 0 {
		t.Errorf("findings on popular names: %v", summarise(quiet))
	}
}

// A DNS tunnel: many unique long base32 labels in TXT queries under one domain.
func TestSyntheticDNSTunnel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var names []string
	for range 200 {
		names = append(names, randomLabel(rng, 52, "abcdefghijklmnopqrstuvwxyz234567")+"."+randomLabel(rng, 40, "abcdefghijklmnopqrstuvwxyz234567")+".t.exfil.example")
	}
	path := filepath.Join(t.TempDir(), "tunnel.pcap")
	client := netip.MustParseAddrPort("10.4.0.9:53000")
	dnsCapture(t, path, client, names, layers.DNSTypeTXT, layers.DNSResponseCodeNoErr)
	_, got := replay(t, path, defaultConfig(t, nil))
	if !hasFinding(got, findings.TypeDNSTunnel, client.Addr().String()) {
		t.Errorf("no DNS tunnel finding for %s among %v", client.Addr(), summarise(got))
	}
}

// Truncated and malformed frames are decoded as far as they go, never crash the sensor,
// and are counted: every cut of a mirrored frame, and frames of garbage.
func TestSyntheticTruncatedAndMalformedFrames(t *testing.T) {
	inner := synth.TCP(synth.TCPSegment{Src: netip.MustParseAddrPort("10.5.0.1:40000"), Dst: netip.MustParseAddrPort("10.5.0.2:80"),
		ACK: true, PSH: true, Payload: []byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n")})
	mirrored := synth.VXLAN(netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2"), 50000, 77, inner)
	path := filepath.Join(t.TempDir(), "cut.pcap")
	w, err := synth.CreatePcap(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	frames := 0
	for n := 0; n <= len(mirrored); n++ {
		if err := w.Write(day0.Add(time.Duration(n)*time.Millisecond), mirrored[:n]); err != nil {
			t.Fatal(err)
		}
		frames++
	}
	for i := range 200 {
		garbage := make([]byte, rng.IntN(200))
		for j := range garbage {
			garbage[j] = byte(rng.Uint32())
		}
		if len(garbage) > 14 && i%2 == 0 {
			garbage[12], garbage[13], garbage[14] = 0x08, 0x00, 0x45 // IPv4 with random content
		}
		if err := w.Write(day0.Add(time.Second+time.Duration(i)*time.Millisecond), garbage); err != nil {
			t.Fatal(err)
		}
		frames++
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	summary, _ := replay(t, path, defaultConfig(t, nil))
	c := summary.Counts
	if c.Packets != uint64(frames) {
		t.Fatalf("%d frames counted, %d written", c.Packets, frames)
	}
	if c.Decoded+c.Truncated+c.Malformed+c.NotIP != c.Packets {
		t.Errorf("counts do not add up: %+v", c)
	}
	// Cuts inside the outer headers are truncated frames too; only the whole frame decodes
	// completely among the cuts.
	if c.Truncated < uint64(len(mirrored)) || c.Decoded == 0 {
		t.Errorf("counts %+v: want at least %d truncated and some decoded", c, len(mirrored))
	}
	if !strings.Contains(summary.String(), fmt.Sprintf("%d truncated", c.Truncated)) {
		t.Errorf("summary %q does not report the truncated frames", summary)
	}
}

func hasFinding(got []findings.Finding, typ, source string) bool {
	for _, f := range got {
		if f.Type == typ && f.Source == source {
			return true
		}
	}
	return false
}

func summarise(got []findings.Finding) []string {
	var out []string
	for _, f := range got {
		out = append(out, f.Type+" "+f.Source+" → "+f.Destination)
	}
	return out
}
