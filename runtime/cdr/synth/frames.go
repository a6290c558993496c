// Package synth builds synthetic traffic for the sensor's tests and benchmarks: Ethernet
// frames (TCP, UDP, DNS), VXLAN-wrapped copies of them as AWS Traffic Mirroring sends
// them, and pcap files holding them. It serialises with gopacket's layers, a second
// implementation independent of runtime/cdr/decode, so tests built on it check the decoder
// against something it did not write itself.
package synth

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TCPOptions are the options of a typical Linux SYN (MSS, SACK permitted, timestamps,
// window scale); nmap's SYN probe has none.
var TCPOptions = []layers.TCPOption{
	{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
	{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
	{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)},
	{OptionType: layers.TCPOptionKindNop},
	{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
}

// TCPSegment describes one TCP segment.
type TCPSegment struct {
	Src, Dst                netip.AddrPort
	SYN, ACK, RST, FIN, PSH bool
	Seq, Ack                uint32
	Window                  uint16 // 0 means 64240
	Options                 []layers.TCPOption
	Payload                 []byte
}

// TCP is an Ethernet frame carrying seg.
func TCP(seg TCPSegment) []byte {
	window := seg.Window
	if window == 0 {
		window = 64240
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(seg.Src.Port()), DstPort: layers.TCPPort(seg.Dst.Port()),
		SYN: seg.SYN, ACK: seg.ACK, RST: seg.RST, FIN: seg.FIN, PSH: seg.PSH,
		Seq: seg.Seq, Ack: seg.Ack, Window: window, Options: seg.Options,
	}
	return frame(seg.Src.Addr(), seg.Dst.Addr(), layers.IPProtocolTCP, tcp, seg.Payload)
}

// UDP is an Ethernet frame carrying one datagram.
func UDP(src, dst netip.AddrPort, payload []byte) []byte {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	return frame(src.Addr(), dst.Addr(), layers.IPProtocolUDP, udp, payload)
}

// VXLAN wraps an inner Ethernet frame as AWS Traffic Mirroring does: outer Ethernet, IPv4
// from mirrorSource to sensor, UDP to 4789, the VXLAN header with the I flag and vni.
func VXLAN(mirrorSource, sensor netip.Addr, sourcePort uint16, vni uint32, inner []byte) []byte {
	payload := make([]byte, 8+len(inner))
	payload[0] = 0x08
	payload[4], payload[5], payload[6] = byte(vni>>16), byte(vni>>8), byte(vni)
	copy(payload[8:], inner)
	return UDP(netip.AddrPortFrom(mirrorSource, sourcePort), netip.AddrPortFrom(sensor, 4789), payload)
}

// VXLANPayload is only the VXLAN header and inner frame: what a UDP listener receives.
func VXLANPayload(vni uint32, inner []byte) []byte {
	payload := make([]byte, 8+len(inner))
	payload[0] = 0x08
	payload[4], payload[5], payload[6] = byte(vni>>16), byte(vni>>8), byte(vni)
	copy(payload[8:], inner)
	return payload
}

type transportLayer interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}

var (
	srcMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	dstMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
)

func frame(src, dst netip.Addr, proto layers.IPProtocol, transport transportLayer, payload []byte) []byte {
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC}
	var network gopacket.SerializableLayer
	if src.Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		network = ip
		_ = transport.SetNetworkLayerForChecksum(ip)
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		network = ip
		_ = transport.SetNetworkLayerForChecksum(ip)
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, network, transport, gopacket.Payload(payload)); err != nil {
		panic(fmt.Sprintf("synth: serialise frame: %v", err)) // the layers above are always valid
	}
	return buf.Bytes()
}
