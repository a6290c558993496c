// Package pcapfile reads capture files, pcap or pcapng (told apart by their magic number).
// Classic pcap, what replays and benchmarks mostly read, is parsed here in place from
// megabyte chunks (classic.go); pcapng and gzip-compressed pcap go through gopacket's
// pure-Go readers (pcapgo: no libpcap, no cgo). Frames are read without copying: each one
// is valid until the next call to Next.
package pcapfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Reader reads the frames of one capture file.
type Reader struct {
	file     *os.File
	classic  *classicReader                               // classic pcap; nil for the others
	next     func() ([]byte, gopacket.CaptureInfo, error) // pcapng, gzip pcap
	linkType int
	format   string
}

// pcapng's section header block type; pcap files start with one of four magic numbers.
const pcapngMagic = 0x0a0d0d0a

// Open opens a pcap or pcapng file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	r, err := newReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read capture %s: %w (is it a pcap or pcapng file?)", path, err)
	}
	r.file = f
	return r, nil
}

func newReader(f io.Reader) (*Reader, error) {
	chunk := make([]byte, chunkSize)
	n, err := io.ReadAtLeast(f, chunk, 4)
	if err != nil {
		return nil, fmt.Errorf("read magic number: %w", err)
	}
	magic := chunk[:4]
	if isClassicMagic(magic) {
		c, err := newClassicReader(chunk, n, f)
		if err != nil {
			return nil, err
		}
		return &Reader{classic: c, linkType: c.linkType, format: "pcap"}, nil
	}
	// The bytes already read come first, then the rest of the file.
	buffered := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(chunk[:n]), f), 1<<20)
	if binary.LittleEndian.Uint32(magic) == pcapngMagic {
		ng, err := pcapgo.NewNgReader(buffered, pcapgo.NgReaderOptions{})
		if err != nil {
			return nil, err
		}
		return &Reader{next: ng.ZeroCopyReadPacketData, linkType: int(ng.LinkType()), format: "pcapng"}, nil
	}
	pr, err := pcapgo.NewReader(buffered)
	if err != nil {
		return nil, err
	}
	return &Reader{next: pr.ZeroCopyReadPacketData, linkType: int(pr.LinkType()), format: "pcap"}, nil
}

// LinkType is the file's link type (a pcap LINKTYPE_ number, 1 for Ethernet).
func (r *Reader) LinkType() int { return r.linkType }

// Format is "pcap" or "pcapng".
func (r *Reader) Format() string { return r.format }

// Next returns the next frame and its capture time; io.EOF after the last one. The frame
// is valid until the next call.
func (r *Reader) Next() ([]byte, time.Time, error) {
	var data []byte
	var ts time.Time
	var err error
	if r.classic != nil {
		data, ts, err = r.classic.next()
	} else {
		var ci gopacket.CaptureInfo
		data, ci, err = r.next()
		ts = ci.Timestamp
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, time.Time{}, fmt.Errorf("capture ends in the middle of a frame: %w", err)
		}
		return nil, time.Time{}, err
	}
	return data, ts, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	return r.file.Close()
}
