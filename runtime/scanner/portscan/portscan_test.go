package portscan

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// listenOn opens n loopback listeners that accept and drop connections; it returns their ports.
func listenOn(t *testing.T, n int) []uint16 {
	t.Helper()
	var ports []uint16
	for range n {
		port := freeport.Port(t)
		l, err := net.Listen("tcp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)).String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		ports = append(ports, uint16(port))
	}
	slices.Sort(ports)
	return ports
}

// portsAround is the open ports plus 200 ports next to each (closed on loopback).
func portsAround(open []uint16) []uint16 {
	var ports []uint16
	for _, p := range open {
		for q := int(p) - 100; q <= int(p)+100; q++ {
			if q > 0 && q < 65536 {
				ports = append(ports, uint16(q))
			}
		}
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}

func TestProbersFindExactlyTheOpenPorts(t *testing.T) {
	open := listenOn(t, 3)
	ports := portsAround(open)
	probers := map[string]func(t *testing.T) Prober{
		"connect": func(t *testing.T) Prober { return &ConnectProber{Budget: NewBudget(256, 0)} },
		"syn": func(t *testing.T) Prober {
			if !CanRawSocket() {
				t.Fatal("SYN scanning needs CAP_NET_RAW: run the tests as root (or with the capability)")
			}
			p, err := OpenSYN(NewBudget(256, 0))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close() })
			return p
		},
	}
	for name, newProber := range probers {
		t.Run(name, func(t *testing.T) {
			p := newProber(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res := p.ScanHost(ctx, netip.MustParseAddr("127.0.0.1"), Options{Ports: ports, Retries: 1, PerHost: 64})
			// Other tests on this machine may open loopback ports in the window; ours must all be there.
			for _, want := range open {
				if !slices.Contains(res.Open, want) {
					t.Errorf("open port %d not found; open = %v", want, res.Open)
				}
			}
			if res.Filtered != 0 {
				t.Errorf("filtered = %d on loopback, where every port answers", res.Filtered)
			}
			if got := len(res.Open) + res.Closed + res.Filtered; got != len(ports) {
				t.Errorf("open+closed+filtered = %d, want %d", got, len(ports))
			}
		})
	}
}

func TestDiscoverLoopbackIsUp(t *testing.T) {
	up := Discover(context.Background(), netip.MustParseAddr("127.0.0.1"), nil, 2*time.Second)
	if !up.Up {
		t.Fatalf("127.0.0.1 not up: %s", up.Reason)
	}
}

func TestPingLoopback(t *testing.T) {
	p, err := OpenPinger()
	if err != nil {
		t.Fatalf("%v: run as root, or allow ping sockets (sysctl net.ipv4.ping_group_range)", err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := p.Ping(ctx, netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Fatal(err)
	}
}

func TestRTTEstimatorTimeoutBounds(t *testing.T) {
	e := newRTTEstimator(50*time.Millisecond, time.Second)
	if got := e.timeout(); got != time.Second {
		t.Errorf("timeout before any sample = %v, want the maximum", got)
	}
	for range 10 {
		e.observe(100 * time.Microsecond)
	}
	if got := e.timeout(); got != 50*time.Millisecond {
		t.Errorf("timeout after fast samples = %v, want the minimum 50ms", got)
	}
	e.observe(5 * time.Second)
	if got := e.timeout(); got != time.Second {
		t.Errorf("timeout after a huge sample = %v, want the maximum", got)
	}
}

func TestSYNSegmentRoundTrip(t *testing.T) {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	var buf [synSegmentLen]byte
	seg := buildSYN(buf[:], src, dst, 40000, 443, 12345)
	if tcpChecksum(seg, src, dst) != 0 {
		t.Error("checksum over a segment with its checksum filled in must be 0")
	}
	r, err := parseTCPReply(seg)
	if err != nil {
		t.Fatal(err)
	}
	if r.SrcPort != 40000 || r.DstPort != 443 || r.Seq != 12345 || r.Flags != flagSYN {
		t.Errorf("parsed %+v", r)
	}
}
