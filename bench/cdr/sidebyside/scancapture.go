package main

import (
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// The scan capture: four outside scanners each sweep the first 1000 ports of their own
// range of inside hosts with nmap's SYN probe (window 1024, no TCP options, one source port
// per scan), as `nmap -sS` does. Closed ports answer with a reset, a few open ports with a
// SYN-ACK (which the scanner's kernel resets), and one host in five is down or filtered and
// answers nothing. That is the mix a sensor sees in front of a scanned VPC.
const (
	scanners        = 4
	portsPerHost    = 1000
	scanPacketGap   = 20 * time.Microsecond // 50,000 packets/s of capture time
	scanSourcePort  = 61543
	nmapProbeWindow = 1024
)

// openPorts answer a probe with SYN-ACK.
var openPorts = map[uint16]bool{22: true, 80: true, 443: true, 3306: true}

// writeScan writes exactly packets frames of the scan to sink.
func writeScan(sink frameSink, packets int) error {
	written := 0
	emit := func(seg synth.TCPSegment) error {
		if written == packets {
			return nil
		}
		t := captureStart.Add(time.Duration(written) * scanPacketGap)
		written++
		return sink(t, synth.TCP(seg))
	}
	for probe := 0; written < packets; probe++ {
		scanner, target := scanProbe(probe)
		src := netip.AddrPortFrom(scanner, scanSourcePort)
		seq := uint32(probe)*2654435761 + 1 // nmap's sequence numbers look random
		if err := emit(synth.TCPSegment{Src: src, Dst: target, SYN: true, Seq: seq, Window: nmapProbeWindow}); err != nil {
			return err
		}
		hostIndex := probe / scanners / portsPerHost
		switch {
		case hostIndex%5 == 4: // down or filtered: no answer
		case openPorts[target.Port()]:
			if err := emit(synth.TCPSegment{Src: target, Dst: src, SYN: true, ACK: true, Seq: seq ^ 0x5bd1e995, Ack: seq + 1, Options: synth.TCPOptions}); err != nil {
				return err
			}
			if err := emit(synth.TCPSegment{Src: src, Dst: target, RST: true, Seq: seq + 1}); err != nil {
				return err
			}
		default:
			if err := emit(synth.TCPSegment{Src: target, Dst: src, RST: true, ACK: true, Ack: seq + 1, Window: 1}); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanProbe is the scanner and target of the probe-th probe: scanners take turns, each
// walking ports 1-1000 of one host before the next host of its own /16.
func scanProbe(probe int) (scanner netip.Addr, target netip.AddrPort) {
	s := probe % scanners
	n := probe / scanners
	host := n / portsPerHost
	port := uint16(1 + n%portsPerHost)
	scanner = netip.AddrFrom4([4]byte{203, 0, 113, byte(10 + s)})
	hostAddr := netip.AddrFrom4([4]byte{10, byte(s + 1), byte(host / 250), byte(1 + host%250)})
	return scanner, netip.AddrPortFrom(hostAddr, port)
}
