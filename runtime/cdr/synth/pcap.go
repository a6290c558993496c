package synth

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// PcapWriter writes Ethernet frames to a pcap file.
type PcapWriter struct {
	file *os.File
	buf  *bufio.Writer
	w    *pcapgo.Writer
}

// CreatePcap creates (or truncates) a pcap file of Ethernet frames.
func CreatePcap(path string) (*PcapWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create pcap: %w", err)
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriter(buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return nil, fmt.Errorf("write pcap header %s: %w", path, err)
	}
	return &PcapWriter{file: f, buf: buf, w: w}, nil
}

// Write appends one frame captured at t.
func (p *PcapWriter) Write(t time.Time, frame []byte) error {
	ci := gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(frame), Length: len(frame)}
	if err := p.w.WritePacket(ci, frame); err != nil {
		return fmt.Errorf("write pcap frame: %w", err)
	}
	return nil
}

// Close flushes and closes the file.
func (p *PcapWriter) Close() error {
	if err := p.buf.Flush(); err != nil {
		p.file.Close()
		return fmt.Errorf("flush pcap: %w", err)
	}
	return p.file.Close()
}
