package detect

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func ep(s string) Endpoint {
	ap := netip.MustParseAddrPort(s)
	return Endpoint{ap.Addr(), ap.Port()}
}

func newEngine(t testing.TB, cfg *config.Detections) (*Engine, *[]findings.Finding) {
	var got []findings.Finding
	e, err := New(cfg, func(f findings.Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	return e, &got
}

func byType(fs []findings.Finding, typ string) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.Type == typ {
			out = append(out, f)
		}
	}
	return out
}

// TestEngineBeaconStream: a day of flows from one host, a 60 s ± 10% beacon among 40
// Poisson-timed pairs; the engine reports the beacon and nothing else.
func TestEngineBeaconStream(t *testing.T) {
	e, got := newEngine(t, nil)
	r := rand.New(rand.NewPCG(1, 2))
	client := ep("10.0.0.5:40000")
	type pending struct {
		at time.Time
		f  FlowEnd
	}
	var flows []pending
	for at := 0.0; at < 86400; at += 60 * (0.9 + 0.2*r.Float64()) {
		start := t0.Add(time.Duration(at * float64(time.Second)))
		flows = append(flows, pending{start, FlowEnd{Proto: 6, Client: client, Server: ep("198.51.100.7:443"), Start: start, End: start.Add(time.Second), BytesOut: 480, Established: true}})
	}
	for i := 0; i < 40; i++ {
		server := Endpoint{netip.AddrFrom4([4]byte{203, 0, 113, byte(i + 1)}), 443}
		mean := 30 + float64(i)*20
		for at := r.ExpFloat64() * mean; at < 86400; at += r.ExpFloat64() * mean {
			start := t0.Add(time.Duration(at * float64(time.Second)))
			flows = append(flows, pending{start, FlowEnd{Proto: 6, Client: client, Server: server, Start: start, End: start.Add(time.Second), BytesOut: uint64(200 + 2000*r.ExpFloat64()), Established: true}})
		}
	}
	// Feed in time order with a tick per second of traffic that passed.
	sort.Slice(flows, func(i, j int) bool { return flows[i].at.Before(flows[j].at) })
	for _, p := range flows {
		e.OnFlowEnd(p.f)
		e.Tick(p.at)
	}
	e.Tick(t0.Add(24 * time.Hour))
	beacons := byType(*got, findings.TypeBeacon)
	if len(beacons) == 0 {
		t.Fatal("no beacon finding")
	}
	for _, b := range beacons {
		if b.Destination != "198.51.100.7:443" || b.Source != "10.0.0.5" {
			t.Errorf("beacon finding %s → %s, want only 10.0.0.5 → 198.51.100.7:443", b.Source, b.Destination)
		}
	}
	// Early findings (20 connections) may score just above the 0.85 threshold; the day's
	// last scoring run has about 1440 connections.
	last := beacons[len(beacons)-1]
	if s := last.Evidence["score"].(float64); s < 0.9 {
		t.Errorf("beacon score after 24 hours %.3f, want >= 0.9", s)
	}
}

func TestEngineDNSStreams(t *testing.T) {
	e, got := newEngine(t, nil)
	resolver := ep("10.0.0.2:53")
	infected, tunneller, normal := ep("10.0.0.9:5353"), ep("10.0.0.10:5353"), ep("10.0.0.11:5353")
	popular := []string{"www.google.com", "mail.yahoo.com", "news.bbc.co.uk", "api.github.com", "www.wikipedia.org"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		label := make([]byte, 14)
		for j := range label {
			label[j] = byte('a' + r.IntN(26))
		}
		e.OnDNS(&DNS{Time: at, Client: infected, Server: resolver, Response: true, Name: string(label) + ".info", RCode: RCodeNXDomain})
		e.OnDNS(&DNS{Time: at, Client: tunneller, Server: resolver, Name: randomHex(r, 40) + ".t.exfil.example", QType: QTypeTXT})
		e.OnDNS(&DNS{Time: at, Client: normal, Server: resolver, Response: true, Name: popular[i%len(popular)]})
		e.OnDNS(&DNS{Time: at, Client: normal, Server: resolver, Name: popular[i%len(popular)], QType: 1})
	}
	dgas, tunnels := byType(*got, findings.TypeDGA), byType(*got, findings.TypeDNSTunnel)
	if len(dgas) != 1 || dgas[0].Source != "10.0.0.9" {
		t.Errorf("DGA findings %+v, want one for 10.0.0.9", dgas)
	}
	if len(tunnels) != 1 || tunnels[0].Source != "10.0.0.10" || tunnels[0].Destination != "exfil.example" {
		t.Errorf("tunnel findings %+v, want one for 10.0.0.10 → exfil.example", tunnels)
	}
	if len(*got) != 2 {
		t.Errorf("%d findings, want 2: %+v", len(*got), *got)
	}
}

func randomHex(r *rand.Rand, n int) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hexdigits[r.IntN(16)]
	}
	return string(b)
}

func TestEngineIndicatorsReload(t *testing.T) {
	dir := t.TempDir()
	ips, domains, ja3 := filepath.Join(dir, "ips.txt"), filepath.Join(dir, "domains.txt"), filepath.Join(dir, "ja3.txt")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ips, "# bad hosts\n203.0.113.66\n198.51.100.0/24\n")
	write(domains, "evil.example\n")
	write(ja3, "e7d705a3286e19ea42f587b344ee6865 trickbot\n")
	cfg := &config.Detections{Indicators: &config.Indicators{IPs: []string{ips}, Domains: []string{domains}, JA3: []string{ja3}}}
	e, got := newEngine(t, cfg)
	c := ep("10.0.0.5:40000")
	e.OnConnAttempt(ConnAttempt{Time: t0, Src: c, Dst: ep("203.0.113.66:443"), Answered: true})
	e.OnConnAttempt(ConnAttempt{Time: t0, Src: c, Dst: ep("203.0.113.66:443"), Answered: true}) // repeat: limited
	e.OnFlowEnd(FlowEnd{Proto: 17, Client: c, Server: ep("198.51.100.20:123"), Start: t0, End: t0})
	e.OnDNS(&DNS{Time: t0, Client: c, Server: ep("10.0.0.2:53"), Name: "cdn.evil.example"})
	e.OnTLSHello(TLSHello{Time: t0, Client: c, Server: ep("192.0.2.1:443"), SNI: "ok.example", JA3: "e7d705a3286e19ea42f587b344ee6865"})
	e.OnConnAttempt(ConnAttempt{Time: t0, Src: c, Dst: ep("192.0.2.1:443"), Answered: true})
	want := map[string]int{findings.TypeIndicatorIP: 2, findings.TypeIndicatorDomain: 1, findings.TypeIndicatorJA3: 1}
	for typ, n := range want {
		if len(byType(*got, typ)) != n {
			t.Errorf("%d %s findings, want %d", len(byType(*got, typ)), typ, n)
		}
	}
	if e.Stats().FindingsByType[findings.TypeIndicatorIP] != 2 {
		t.Errorf("stats %+v", e.Stats())
	}

	// Reload with a new list: the new IP matches, the old one no longer does.
	write(ips, "192.0.2.1\n")
	if err := e.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	*got = nil
	e.OnConnAttempt(ConnAttempt{Time: t0.Add(time.Hour), Src: c, Dst: ep("203.0.113.66:443"), Answered: true})
	e.OnConnAttempt(ConnAttempt{Time: t0.Add(time.Hour), Src: c, Dst: ep("192.0.2.1:443"), Answered: true})
	if ipHits := byType(*got, findings.TypeIndicatorIP); len(ipHits) != 1 || ipHits[0].Destination != "192.0.2.1:443" {
		t.Errorf("after reload: %+v, want one hit on 192.0.2.1", ipHits)
	}

	// A broken list keeps the old lists.
	write(ips, "not-an-ip\n")
	if err := e.Reload(cfg); err == nil {
		t.Fatal("reload accepted a bad indicator list")
	}
	*got = nil
	e.OnConnAttempt(ConnAttempt{Time: t0.Add(2 * time.Hour), Src: c, Dst: ep("192.0.2.1:443"), Answered: true})
	if len(*got) != 1 {
		t.Errorf("after a failed reload the old list must stay: %d findings", len(*got))
	}
}

func TestEngineScanAndMiner(t *testing.T) {
	e, got := newEngine(t, &config.Detections{Scan: &config.ScanDetection{Threshold: 5}})
	scanner := ep("192.168.2.154:50000")
	for p := uint16(1); p <= 10; p++ {
		e.OnConnAttempt(ConnAttempt{Time: t0, Src: scanner, Dst: Endpoint{netip.MustParseAddr("192.168.2.22"), p}, Reset: true, SYNWindow: 1024})
	}
	scans := byType(*got, findings.TypePortScan)
	if len(scans) != 1 || scans[0].Source != "192.168.2.154" || scans[0].Destination != "192.168.2.22" || scans[0].Severity != 6 {
		t.Fatalf("scan findings %+v", scans)
	}
	client, pool := ep("10.0.0.5:41000"), ep("198.51.100.9:3333")
	e.OnPayload(0, client, pool, true, 0, []byte(`{"id": 1, "method": "mining.subscribe", "params": []}`), t0)
	miners := byType(*got, findings.TypeCoinMiner)
	if len(miners) != 1 || miners[0].Evidence["pool"] != "198.51.100.9:3333" || miners[0].Evidence["client"] != "10.0.0.5" || miners[0].Evidence["protocol"] != "stratum" {
		t.Fatalf("miner findings %+v", miners)
	}
	e.OnFlowEnd(FlowEnd{Proto: 6, Client: client, Server: pool, Start: t0, End: t0})
	if e.Stats().MinerFlows != 0 {
		t.Error("flow state kept after the flow ended")
	}
}

func TestDisabledDetectors(t *testing.T) {
	cfg := &config.Detections{Scan: &config.ScanDetection{Disabled: true, Threshold: 1}, Miner: &config.MinerDetection{Disabled: true}}
	e, got := newEngine(t, cfg)
	e.OnConnAttempt(ConnAttempt{Time: t0, Src: ep("10.0.0.1:1"), Dst: ep("10.0.0.2:2")})
	e.OnPayload(0, ep("10.0.0.1:1"), ep("10.0.0.2:2"), true, 0, []byte(`{"method": "mining.subscribe"}`), t0)
	if len(*got) != 0 {
		t.Errorf("disabled detectors reported %+v", *got)
	}
}

func BenchmarkOnConnAttempt(b *testing.B) {
	e, _ := newEngine(b, nil)
	src := ep("10.0.0.1:40000")
	dsts := make([]Endpoint, 1024)
	for i := range dsts {
		dsts[i] = Endpoint{netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), uint16(i)}
	}
	for _, d := range dsts {
		e.OnConnAttempt(ConnAttempt{Time: t0, Src: src, Dst: d, SYNWindow: 1024})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.OnConnAttempt(ConnAttempt{Time: t0, Src: src, Dst: dsts[i&1023], SYNWindow: 1024})
	}
}

func BenchmarkOnPayload(b *testing.B) {
	e, _ := newEngine(b, nil)
	client, server := ep("10.0.0.1:40000"), ep("10.0.0.2:80")
	data := make([]byte, 1400)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	b.Run("inspected", func(b *testing.B) {
		// New flows over and over: every payload is within the protocol budget.
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			e.OnPayload(0, client, server, true, 0, data, t0)
			e.OnFlowEnd(FlowEnd{Proto: 6, Client: client, Server: server})
		}
	})
	b.Run("past_budget", func(b *testing.B) {
		var off int64
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			e.OnPayload(0, client, server, true, off, data, t0)
			off += int64(len(data))
		}
	})
}
