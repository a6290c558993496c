package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// readFrames reads every frame of a pcap file with gopacket's reader, independent of the
// sensor's own pcapfile package.
func readFrames(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, data)
	}
}

func generateSmall(t *testing.T) []capture {
	t.Helper()
	captures, err := generateCaptures(t.TempDir(), 5000, 200_000)
	if err != nil {
		t.Fatal(err)
	}
	return captures
}

func TestScanCaptureIsAnNmapScanWithAnswers(t *testing.T) {
	c := generateSmall(t)[0]
	frames := readFrames(t, c.Path)
	if len(frames) != 5000 || c.Packets != 5000 {
		t.Fatalf("scan capture holds %d frames (counted %d), want exactly 5000", len(frames), c.Packets)
	}
	var probes, resets, synAcks, total int64
	for i, data := range frames {
		total += int64(len(data))
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok {
			t.Fatalf("frame %d is not TCP: %v", i, p)
		}
		switch {
		case tcp.SYN && !tcp.ACK:
			probes++
			if tcp.Window != nmapProbeWindow || len(tcp.Options) != 0 || tcp.SrcPort != scanSourcePort {
				t.Fatalf("probe %d: window %d, %d options, source port %d; want nmap's 1024, none, %d", i, tcp.Window, len(tcp.Options), tcp.SrcPort, scanSourcePort)
			}
		case tcp.RST && tcp.ACK:
			resets++
		case tcp.SYN && tcp.ACK:
			synAcks++
		}
	}
	if total != c.Bytes {
		t.Errorf("counted %d bytes, frames hold %d", c.Bytes, total)
	}
	// Of 5000 frames the scanners' first host each is up (ports 1-1000, closed but four
	// open), so nearly every probe is answered with a reset.
	if probes < 2400 || resets < 2300 || synAcks == 0 {
		t.Errorf("%d probes, %d resets, %d SYN-ACKs: want a scan whose probes are answered", probes, resets, synAcks)
	}
}

func TestVXLANCaptureWrapsTheScanAsAWSDoes(t *testing.T) {
	captures := generateSmall(t)
	plain, wrapped := readFrames(t, captures[0].Path), readFrames(t, captures[1].Path)
	if len(plain) != len(wrapped) {
		t.Fatalf("%d plain frames, %d wrapped", len(plain), len(wrapped))
	}
	for i := range wrapped {
		p := gopacket.NewPacket(wrapped[i], layers.LayerTypeEthernet, gopacket.Default)
		udp, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok || udp.DstPort != 4789 || udp.SrcPort < 49152 {
			t.Fatalf("frame %d: %v; want UDP from an ephemeral port to 4789", i, p)
		}
		vx, ok := p.Layer(layers.LayerTypeVXLAN).(*layers.VXLAN)
		if !ok || !vx.ValidIDFlag || vx.VNI != mirrorVNI {
			t.Fatalf("frame %d: VXLAN %+v, want the I flag and VNI %d", i, vx, mirrorVNI)
		}
		if !bytes.Equal(vx.LayerPayload(), plain[i]) {
			t.Fatalf("frame %d: the inner frame differs from the plain capture's", i)
		}
	}
}

func TestBulkCaptureCarriesEveryDownloadInOrder(t *testing.T) {
	c := generateSmall(t)[2]
	// Reassemble the server → client bytes of each flow by sequence number.
	type stream struct {
		isn  uint32
		data []byte
	}
	streams := map[uint16]*stream{} // by client port
	for i, data := range readFrames(t, c.Path) {
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		tcp := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp.SrcPort != bulkServerPort {
			continue
		}
		s := streams[uint16(tcp.DstPort)]
		if tcp.SYN {
			streams[uint16(tcp.DstPort)] = &stream{isn: tcp.Seq + 1}
			continue
		}
		if s == nil {
			t.Fatalf("frame %d: data before the handshake", i)
		}
		if len(tcp.Payload) == 0 {
			continue
		}
		if off := tcp.Seq - s.isn; int(off) != len(s.data) {
			t.Fatalf("frame %d: segment at offset %d, want %d (no gaps, no overlap)", i, off, len(s.data))
		}
		s.data = append(s.data, tcp.Payload...)
	}
	if len(streams) != bulkFlows {
		t.Fatalf("%d downloads, want %d", len(streams), bulkFlows)
	}
	for port, s := range streams {
		header, body, ok := bytes.Cut(s.data, []byte("\r\n\r\n"))
		if !ok || !bytes.HasPrefix(header, []byte("HTTP/1.1 200 OK")) || len(body) != 200_000/bulkFlows {
			t.Fatalf("download to port %d: header %q, %d body bytes; want 200 OK and %d", port, header, len(body), 200_000/bulkFlows)
		}
		executable := (port-bulkClientPort0)%4 == 0
		if bytes.HasPrefix(body, []byte("\x7fELF")) != executable {
			t.Errorf("download to port %d: ELF %v, want %v", port, !executable, executable)
		}
	}
}
