package pcapfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// sharedPcaps are the labelled captures of /work/shared/data/pcaps (see its README).
const sharedPcaps = "../../../../shared/data/pcaps"

// record is one frame as a reader returned it.
type record struct {
	frame []byte
	ts    time.Time
}

// readAll reads data with this package's reader (frames copied: they are only valid until
// the next call) and returns the records and the error that ended the reading.
func readAll(t testing.TB, data []byte) ([]record, error) {
	t.Helper()
	r, err := newReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var got []record
	for range len(data) + 1 { // bounded: every record takes at least 16 bytes
		frame, ts, err := r.Next()
		if err != nil {
			return got, err
		}
		got = append(got, record{bytes.Clone(frame), ts})
	}
	t.Fatal("the reader returned more records than the file has bytes")
	return nil, nil
}

// readAllPcapgo reads data with gopacket's reader: the reference the in-place parser is
// checked against.
func readAllPcapgo(t testing.TB, data []byte) ([]record, error) {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var got []record
	for range len(data) + 1 {
		frame, ci, err := r.ReadPacketData()
		if err != nil {
			return got, err
		}
		got = append(got, record{frame, ci.Timestamp})
	}
	t.Fatal("pcapgo returned more records than the file has bytes")
	return nil, nil
}

// The shared captures (real traffic from public test suites) read the same, frame for frame
// and timestamp for timestamp, as with gopacket's pcapgo reader.
func TestClassicReaderMatchesPcapgoOnSharedCaptures(t *testing.T) {
	for _, name := range []string{"aws-mirror-vxlan.pcap", "vxlan-small.pcap", "port-scan.pcap", "stratum-bitcoin-mining.pcap"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(sharedPcaps, name))
			if err != nil {
				t.Fatalf("capture %s is missing: the shared test data lives in /work/shared/data/pcaps (README.md there lists the files): %v", name, err)
			}
			if !isClassicMagic(data) {
				t.Fatalf("%s is not a classic pcap: this test is about the classic reader", name)
			}
			got, err := readAll(t, data)
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after %d frames: %v, want EOF", len(got), err)
			}
			want, _ := readAllPcapgo(t, data)
			compareRecords(t, got, want)
		})
	}
}

func compareRecords(t *testing.T, got, want []record) {
	t.Helper()
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d frames, pcapgo reads %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].frame, want[i].frame) || !got[i].ts.Equal(want[i].ts) {
			t.Fatalf("frame %d: %d bytes at %v, pcapgo: %d bytes at %v", i, len(got[i].frame), got[i].ts, len(want[i].frame), want[i].ts)
		}
	}
}

// classicFile builds a classic pcap by hand: the byte order and timestamp unit are the
// writer's choice, and readers must follow the magic number.
func classicFile(order binary.AppendByteOrder, nanos bool, snaplen uint32, frames [][]byte) []byte {
	var b []byte
	magic := uint32(magicMicros)
	if nanos {
		magic = magicNanos
	}
	b = order.AppendUint32(b, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, snaplen)
	b = order.AppendUint32(b, 1)
	for i, f := range frames {
		frac := uint32(i * 1001)
		b = order.AppendUint32(b, uint32(1767225600+i))
		b = order.AppendUint32(b, frac)
		b = order.AppendUint32(b, uint32(len(f)))
		b = order.AppendUint32(b, uint32(len(f)+4)) // the original was longer: a truncated capture
		b = append(b, f...)
	}
	return b
}

func TestClassicReaderByteOrdersUnitsAndLargeFrames(t *testing.T) {
	huge := bytes.Repeat([]byte{0xab}, 3*chunkSize/2) // larger than a chunk: the buffer grows
	frames := [][]byte{[]byte("a"), {}, bytes.Repeat([]byte{1}, 1514), huge, []byte("after the big one")}
	for _, tc := range []struct {
		name  string
		order binary.AppendByteOrder
		nanos bool
	}{
		{"little-endian micros", binary.LittleEndian, false},
		{"big-endian micros", binary.BigEndian, false},
		{"little-endian nanos", binary.LittleEndian, true},
		{"big-endian nanos", binary.BigEndian, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := classicFile(tc.order, tc.nanos, 2*chunkSize, frames)
			got, err := readAll(t, data)
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after %d frames: %v, want EOF", len(got), err)
			}
			want, _ := readAllPcapgo(t, data)
			compareRecords(t, got, want)
			unit := time.Microsecond
			if tc.nanos {
				unit = time.Nanosecond
			}
			if wantTS := time.Unix(1767225600+2, 0).Add(2 * 1001 * unit); !got[2].ts.Equal(wantTS) {
				t.Errorf("frame 2 at %v, want %v", got[2].ts, wantTS)
			}
		})
	}
}

// Corrupt record headers are refused with an error that says the file is corrupt, instead
// of allocating what a random length claims.
func TestClassicReaderRefusesCorruptLengths(t *testing.T) {
	data := classicFile(binary.LittleEndian, false, 65535, [][]byte{[]byte("ok")})
	bad := bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[24+8:], 1<<30) // captured length of a gigabyte
	binary.LittleEndian.PutUint32(bad[24+12:], 1<<30)
	if _, err := readAll(t, bad); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("a gigabyte record: %v, want a corrupt-file error", err)
	}
	// A snap length of 4 GiB lets a record claim 3 GiB; the file has a few bytes of it. The
	// reader must fail at the end of the file without having allocated what was claimed.
	bad = bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[16:], 0xffffffff)
	binary.LittleEndian.PutUint32(bad[24+8:], 3<<30)
	binary.LittleEndian.PutUint32(bad[24+12:], 3<<30)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readAll(t, bad)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a 3 GiB record in a short file: %v, want an error saying the capture ends mid-frame", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 8*chunkSize {
		t.Errorf("reading a short file claiming a 3 GiB record allocated %d bytes", allocated)
	}
	bad = bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[24+12:], 1) // captured more than the original
	if _, err := readAll(t, bad); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("captured > original: %v, want a corrupt-file error", err)
	}
}

// FuzzClassicReader reads arbitrary bytes after a pcap file header: it never panics, never
// loops, and returns exactly the frames gopacket's reader returns, erring where it errs.
func FuzzClassicReader(f *testing.F) {
	f.Add(classicFile(binary.LittleEndian, false, 65535, [][]byte{[]byte("first"), {}, []byte("third frame")}))
	f.Add(classicFile(binary.BigEndian, true, 65535, [][]byte{bytes.Repeat([]byte{9}, 200)}))
	f.Add(classicFile(binary.LittleEndian, false, 65535, [][]byte{[]byte("cut")})[:24+10])
	if small, err := os.ReadFile(filepath.Join(sharedPcaps, "port-scan.pcap")); err == nil {
		f.Add(small)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readAll(t, data)
		want, wantErr := readAllPcapgo(t, data)
		if (err == nil) != (wantErr == nil) || len(got) != len(want) {
			t.Fatalf("%d frames then %v; pcapgo: %d frames then %v", len(got), err, len(want), wantErr)
		}
		for i := range got {
			if !bytes.Equal(got[i].frame, want[i].frame) {
				t.Fatalf("frame %d differs from pcapgo's", i)
			}
		}
	})
}
