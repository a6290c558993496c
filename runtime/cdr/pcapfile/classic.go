package pcapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// The classic pcap format: a 24-byte file header (magic number, version 2.4, snap length,
// link type), then records of a 16-byte header (seconds, micro- or nanoseconds, captured
// length, original length) and the captured bytes. The magic number says the byte order
// and the timestamp unit.
const (
	magicMicros        = 0xa1b2c3d4
	magicNanos         = 0xa1b23c4d
	fileHeaderLen      = 24
	recordHeaderLen    = 16
	pcapVersionMajor   = 2
	pcapVersionMinor   = 4
	chunkSize          = 1 << 20 // bytes read from the file at a time
	minMaxCaptureBytes = 262144  // the largest frame accepted whatever the snap length says (as pcapgo)
)

// classicReader reads classic pcap records in place from large chunks of the file: one
// read system call per megabyte, no copy per frame and no per-record io.ReadFull, which
// is where a replay through pcapgo and bufio spent a fifth of its time.
type classicReader struct {
	src        io.Reader
	bigEndian  bool
	nanos      bool // timestamps in nanoseconds (else microseconds)
	maxCapture int  // captured lengths above this are refused: a corrupt header, not a frame
	linkType   int

	buf        []byte // chunk; buf[start:end] is read but not yet returned
	start, end int
	srcErr     error // the error (io.EOF included) the source returned, once it did
}

// isClassicMagic tells whether the first four bytes of a file are a classic pcap magic
// number in either byte order.
func isClassicMagic(b []byte) bool {
	switch binary.LittleEndian.Uint32(b) {
	case magicMicros, magicNanos:
		return true
	}
	switch binary.BigEndian.Uint32(b) {
	case magicMicros, magicNanos:
		return true
	}
	return false
}

// newClassicReader reads the file header and then the records. chunk[:n] holds the first
// bytes of the file, already read from src; the reader keeps chunk as its buffer.
func newClassicReader(chunk []byte, n int, src io.Reader) (*classicReader, error) {
	r := &classicReader{src: src, buf: chunk, end: n}
	if err := r.fill(fileHeaderLen); err != nil {
		return nil, fmt.Errorf("read pcap file header: %w", err)
	}
	h := r.buf[r.start : r.start+fileHeaderLen]
	magic := binary.LittleEndian.Uint32(h)
	if magic != magicMicros && magic != magicNanos {
		r.bigEndian = true
		magic = binary.BigEndian.Uint32(h)
	}
	r.nanos = magic == magicNanos
	if major, minor := r.u16(h[4:6]), r.u16(h[6:8]); major != pcapVersionMajor || minor != pcapVersionMinor {
		return nil, fmt.Errorf("unknown pcap version %d.%d (2.4 is the only one)", major, minor)
	}
	r.maxCapture = max(int(r.u32(h[16:20])), minMaxCaptureBytes)
	r.linkType = int(r.u32(h[20:24]))
	r.start += fileHeaderLen
	return r, nil
}

func (r *classicReader) u16(b []byte) uint16 {
	if r.bigEndian {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *classicReader) u32(b []byte) uint32 {
	if r.bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// next returns the next record's frame (a view into the chunk, valid until the next call)
// and timestamp; io.EOF at the end of the file, io.ErrUnexpectedEOF inside a record.
func (r *classicReader) next() ([]byte, time.Time, error) {
	if r.end-r.start < recordHeaderLen {
		if err := r.fill(recordHeaderLen); err != nil {
			return nil, time.Time{}, err
		}
	}
	h := r.buf[r.start : r.start+recordHeaderLen]
	sec, frac := r.u32(h[0:4]), r.u32(h[4:8])
	captured, original := r.u32(h[8:12]), r.u32(h[12:16])
	if int64(captured) > int64(r.maxCapture) {
		return nil, time.Time{}, fmt.Errorf("record claims %d captured bytes, more than the snap length %d: the file is corrupt", captured, r.maxCapture)
	}
	if captured > original {
		return nil, time.Time{}, fmt.Errorf("record claims %d captured bytes of a %d-byte frame: the file is corrupt", captured, original)
	}
	size := recordHeaderLen + int(captured)
	if r.end-r.start < size {
		if err := r.fill(size); err != nil {
			return nil, time.Time{}, err
		}
	}
	frame := r.buf[r.start+recordHeaderLen : r.start+size : r.start+size]
	r.start += size
	nsec := int64(frac)
	if !r.nanos {
		nsec *= 1000
	}
	return frame, time.Unix(int64(sec), nsec).UTC(), nil
}

// fill makes at least need bytes available at buf[start:]: it moves what is left to the
// front of the chunk and reads until enough is there, growing the chunk for a record larger
// than it as the bytes arrive (doubling, so a corrupt length in a short file costs no more
// than the file). It returns io.EOF when the file ended with nothing left,
// io.ErrUnexpectedEOF when it ended inside a record.
func (r *classicReader) fill(need int) error {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	for empty := 0; r.end < need && r.srcErr == nil; {
		if r.end == len(r.buf) {
			grown := make([]byte, min(need, 2*len(r.buf)))
			copy(grown, r.buf[:r.end])
			r.buf = grown
		}
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		switch {
		case err != nil:
			r.srcErr = err
		case n > 0:
			empty = 0
		default: // nothing and no error: allowed once in a while, not forever
			if empty++; empty == 100 {
				r.srcErr = io.ErrNoProgress
			}
		}
	}
	if r.end >= need {
		return nil
	}
	if r.srcErr != nil && !errors.Is(r.srcErr, io.EOF) {
		return r.srcErr
	}
	if r.end == 0 {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}
