package decode_test

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/pcapfile"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

const pcapDir = "../../../../shared/data/pcaps"

var (
	client = netip.MustParseAddrPort("10.0.0.5:40000")
	server = netip.MustParseAddrPort("203.0.113.7:443")
	mirror = netip.MustParseAddr("10.0.9.9")
	sensor = netip.MustParseAddr("10.0.9.10")
)

func TestDecodeTCPSyn(t *testing.T) {
	frame := synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Seq: 7, Window: 1024})
	var p decode.Packet
	if st := (decode.Decoder{}).Ethernet(frame, &p); st != decode.Complete {
		t.Fatalf("status = %v, want complete", st)
	}
	want := decode.Packet{
		Layers: decode.LayerIP | decode.LayerTransport,
		Src:    client.Addr(), Dst: server.Addr(), Proto: decode.ProtoTCP,
		SrcPort: client.Port(), DstPort: server.Port(),
		TCPFlags: decode.TCPSyn, TCPWindow: 1024, Seq: 7, IPLength: 40,
	}
	if p.Payload = nil; !reflect.DeepEqual(p, want) {
		t.Fatalf("decoded\n %+v\nwant\n %+v", p, want)
	}
}

func TestDecodeCases(t *testing.T) {
	v6client := netip.MustParseAddrPort("[2001:db8::5]:5353")
	v6server := netip.MustParseAddrPort("[2001:db8::53]:53")
	withOptions := synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true, Options: synth.TCPOptions})
	data := synth.TCP(synth.TCPSegment{Src: client, Dst: server, ACK: true, PSH: true, Payload: []byte("GET / HTTP/1.1\r\n")})
	dns := synth.UDP(v6client, v6server, []byte("query"))
	inner := synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true})
	wrapped := synth.VXLAN(mirror, sensor, 50000, 5569041, inner)

	tests := []struct {
		name      string
		decoder   decode.Decoder
		frame     []byte
		status    decode.Status
		layers    decode.Layers
		vni       uint32
		payload   string
		options   uint8
		srcPort   uint16
		truncated bool
	}{
		{name: "syn with options", frame: withOptions, status: decode.Complete, layers: decode.LayerIP | decode.LayerTransport, options: 4, srcPort: 40000},
		{name: "tcp payload", frame: data, status: decode.Complete, layers: decode.LayerIP | decode.LayerTransport, payload: "GET / HTTP/1.1\r\n", srcPort: 40000},
		{name: "udp over ipv6", frame: dns, status: decode.Complete, layers: decode.LayerIP | decode.LayerTransport, payload: "query", srcPort: 5353},
		{name: "vxlan unwrapped", decoder: decode.Decoder{VXLANPort: 4789}, frame: wrapped, status: decode.Complete, layers: decode.LayerVXLAN | decode.LayerIP | decode.LayerTransport, vni: 5569041, srcPort: 40000},
		{name: "vxlan left alone without port", frame: wrapped, status: decode.Complete, layers: decode.LayerIP | decode.LayerTransport, payload: string(wrapped[42:]), srcPort: 50000},
		{name: "tcp payload cut", frame: data[:len(data)-6], status: decode.Truncated, layers: decode.LayerIP | decode.LayerTransport, payload: "GET / HTTP", srcPort: 40000, truncated: true},
		{name: "tcp header cut", frame: data[:14+20+10], status: decode.Truncated, layers: decode.LayerIP, truncated: true},
		{name: "ip header cut", frame: data[:14+12], status: decode.Truncated},
		{name: "ethernet only", frame: data[:10], status: decode.Truncated},
		{name: "inner frame cut", decoder: decode.Decoder{VXLANPort: 4789}, frame: wrapped[:len(wrapped)-10], status: decode.Truncated, layers: decode.LayerVXLAN | decode.LayerIP, vni: 5569041, truncated: true},
		{name: "arp", frame: append(bytes.Repeat([]byte{0xff}, 12), 0x08, 0x06, 0, 1), status: decode.NotIP},
		{name: "bad ip version", frame: append(append([]byte{}, data[:14]...), append([]byte{0x55}, data[15:]...)...), status: decode.Malformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p decode.Packet
			st := tc.decoder.Ethernet(tc.frame, &p)
			if st != tc.status || p.Layers != tc.layers || p.VNI != tc.vni || string(p.Payload) != tc.payload ||
				p.TCPOptions != tc.options || p.SrcPort != tc.srcPort || p.Truncated != tc.truncated {
				t.Errorf("got status %v layers %b vni %d payload %q options %d srcport %d truncated %v\nwant status %v layers %b vni %d payload %q options %d srcport %d truncated %v",
					st, p.Layers, p.VNI, p.Payload, p.TCPOptions, p.SrcPort, p.Truncated,
					tc.status, tc.layers, tc.vni, tc.payload, tc.options, tc.srcPort, tc.truncated)
			}
		})
	}
}

func TestVXLANRequiresIFlag(t *testing.T) {
	payload := synth.VXLANPayload(42, synth.TCP(synth.TCPSegment{Src: client, Dst: server, SYN: true}))
	payload[0] = 0
	var p decode.Packet
	if st := (decode.Decoder{}).VXLAN(payload, &p); st != decode.Malformed {
		t.Fatalf("status = %v, want malformed for a VXLAN header without the I flag", st)
	}
}

// TestCapturesAgreeWithGopacket decodes every frame of the shared captures twice, with this
// package and with gopacket's DecodingLayerParser, and compares what the sensor uses.
func TestCapturesAgreeWithGopacket(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(pcapDir, "*.pcap"))
	if len(files) == 0 {
		t.Fatalf("no captures in %s: the shared test data is missing (see /work/shared/data/pcaps/README.md)", pcapDir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r, err := pcapfile.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			ref := newReference()
			dec := decode.Decoder{VXLANPort: decode.DefaultVXLANPort}
			var p decode.Packet
			frames := 0
			for {
				frame, _, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				frames++
				st := dec.Frame(r.LinkType(), frame, &p)
				want, ok := ref.decode(frame)
				if st == decode.NotIP && !want.src.IsValid() {
					continue // ARP and the like, inside or outside the tunnel: nothing to compare
				}
				if st != decode.Complete {
					t.Errorf("frame %d: status %v, want complete", frames, st)
					continue
				}
				if !ok {
					t.Errorf("frame %d: gopacket could not decode it", frames)
					continue
				}
				got := summary{vni: p.VNI, src: p.Src, dst: p.Dst, proto: p.Proto, srcPort: p.SrcPort, dstPort: p.DstPort, payload: len(p.Payload)}
				if got != want {
					t.Errorf("frame %d: decoded %+v, gopacket says %+v", frames, got, want)
				}
			}
			if frames == 0 {
				t.Fatal("no frames read")
			}
		})
	}
}

type summary struct {
	vni              uint32
	src, dst         netip.Addr
	proto            uint8
	srcPort, dstPort uint16
	payload          int
}

// reference decodes with gopacket, unwrapping VXLAN like the sensor does.
type reference struct {
	outer, inner *gopacket.DecodingLayerParser
	eth, ieth    layers.Ethernet
	ip4, iip4    layers.IPv4
	ip6, iip6    layers.IPv6
	tcp, itcp    layers.TCP
	udp, iudp    layers.UDP
	vxlan        layers.VXLAN
	icmp, iicmp  layers.ICMPv4
	payload      gopacket.Payload
	found        []gopacket.LayerType
}

func newReference() *reference {
	r := &reference{}
	r.outer = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &r.eth, &r.ip4, &r.ip6, &r.tcp, &r.udp, &r.vxlan, &r.icmp, &r.payload)
	r.inner = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &r.ieth, &r.iip4, &r.iip6, &r.itcp, &r.iudp, &r.iicmp, &r.payload)
	r.outer.IgnoreUnsupported = true
	r.inner.IgnoreUnsupported = true
	return r
}

func (r *reference) decode(frame []byte) (summary, bool) {
	_ = r.outer.DecodeLayers(frame, &r.found)
	var s summary
	for _, lt := range r.found {
		if lt == layers.LayerTypeVXLAN {
			s.vni = r.vxlan.VNI
			_ = r.inner.DecodeLayers(r.vxlan.Payload, &r.found)
			inner := r.summarise(r.found, &r.iip4, &r.iip6, &r.itcp, &r.iudp, &r.iicmp)
			inner.vni = s.vni
			return inner, true
		}
	}
	return r.summarise(r.found, &r.ip4, &r.ip6, &r.tcp, &r.udp, &r.icmp), len(r.found) > 1
}

func (r *reference) summarise(found []gopacket.LayerType, ip4 *layers.IPv4, ip6 *layers.IPv6, tcp *layers.TCP, udp *layers.UDP, icmp *layers.ICMPv4) summary {
	var s summary
	for _, lt := range found {
		switch lt {
		case layers.LayerTypeIPv4:
			s.src, _ = netip.AddrFromSlice(ip4.SrcIP)
			s.dst, _ = netip.AddrFromSlice(ip4.DstIP)
			s.proto = uint8(ip4.Protocol)
		case layers.LayerTypeIPv6:
			s.src, _ = netip.AddrFromSlice(ip6.SrcIP)
			s.dst, _ = netip.AddrFromSlice(ip6.DstIP)
			s.proto = uint8(ip6.NextHeader)
		case layers.LayerTypeTCP:
			s.srcPort, s.dstPort, s.payload = uint16(tcp.SrcPort), uint16(tcp.DstPort), len(tcp.Payload)
		case layers.LayerTypeUDP:
			s.srcPort, s.dstPort, s.payload = uint16(udp.SrcPort), uint16(udp.DstPort), len(udp.Payload)
		case layers.LayerTypeICMPv4:
			s.srcPort, s.dstPort, s.payload = uint16(icmp.TypeCode.Type()), uint16(icmp.TypeCode.Code()), len(icmp.Payload)+4
		}
	}
	return s
}
