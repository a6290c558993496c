package cdr

import (
	"net/netip"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// replayBenchPackets is the size of the generated capture: big enough that flow expiry,
// scan windows and the beacon tracker reach their steady state, small enough to write in
// a second or two.
const replayBenchPackets = 200_000

// writeScanCapture writes a VXLAN-wrapped SYN scan shaped like bench/cdr's scan capture:
// four scanners each sweep ports 1-1000 of their own hosts with nmap's probe, closed ports
// reset, a few open ports answer SYN-ACK (and the scanner resets), one host in five is
// silent. 20 µs of capture time between packets.
func writeScanCapture(b *testing.B, path string, packets int) {
	w, err := synth.CreatePcap(path)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mirror, sensor := netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2")
	written := 0
	emit := func(seg synth.TCPSegment) {
		if written == packets {
			return
		}
		frame := synth.VXLAN(mirror, sensor, 50000, 77, synth.TCP(seg))
		if err := w.Write(start.Add(time.Duration(written)*20*time.Microsecond), frame); err != nil {
			b.Fatal(err)
		}
		written++
	}
	open := map[uint16]bool{22: true, 80: true, 443: true, 3306: true}
	for probe := 0; written < packets; probe++ {
		s, n := probe%4, probe/4
		host, port := n/1000, uint16(1+n%1000)
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(10 + s)}), 61543)
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(s + 1), byte(host / 250), byte(1 + host%250)}), port)
		seq := uint32(probe)*2654435761 + 1
		emit(synth.TCPSegment{Src: src, Dst: dst, SYN: true, Seq: seq, Window: 1024})
		switch {
		case host%5 == 4:
		case open[port]:
			emit(synth.TCPSegment{Src: dst, Dst: src, SYN: true, ACK: true, Seq: seq ^ 0x5bd1e995, Ack: seq + 1, Options: synth.TCPOptions})
			emit(synth.TCPSegment{Src: src, Dst: dst, RST: true, Seq: seq + 1})
		default:
			emit(synth.TCPSegment{Src: dst, Dst: src, RST: true, ACK: true, Ack: seq + 1, Window: 1})
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is this process's user + system time: on a shared machine it, unlike wall
// time, does not grow when other work takes the cores.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkReplayVXLANScan replays the generated VXLAN scan capture from a file with every
// detection on (defaults), as `rampart-cdr replay` does, and reports packets per second of
// CPU time (all threads: the garbage collector's work counts too).
func BenchmarkReplayVXLANScan(b *testing.B) {
	path := filepath.Join(b.TempDir(), "scan-vxlan.pcap")
	writeScanCapture(b, path, replayBenchPackets)
	cfg := defaultConfig(&testing.T{}, nil)
	b.ReportAllocs()
	cpuBefore := cpuTime(b)
	var packets uint64
	for b.Loop() {
		summary, err := Replay(path, cfg, func(findings.Finding) {})
		if err != nil {
			b.Fatal(err)
		}
		if summary.Findings == 0 {
			b.Fatal("the scan capture gave no finding")
		}
		packets += summary.Counts.Packets
	}
	cpu := cpuTime(b) - cpuBefore
	b.ReportMetric(float64(packets)/cpu.Seconds(), "packets/cpu-s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(packets), "ns/packet")
}
