package pcapfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var frames = [][]byte{[]byte("first frame......"), []byte("second"), bytes.Repeat([]byte{7}, 1500)}

func writeCapture(t *testing.T, ng bool) string {
	t.Helper()
	var buf bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(w interface {
		WritePacket(gopacket.CaptureInfo, []byte) error
	}) {
		for i, f := range frames {
			ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(i) * time.Second), CaptureLength: len(f), Length: len(f), InterfaceIndex: 0}
			if err := w.WritePacket(ci, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ng {
		w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
		if err != nil {
			t.Fatal(err)
		}
		write(w)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	} else {
		w := pcapgo.NewWriter(&buf)
		if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		write(w)
	}
	path := filepath.Join(t.TempDir(), "capture")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadsPcapAndPcapng(t *testing.T) {
	for _, ng := range []bool{false, true} {
		path := writeCapture(t, ng)
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "pcap", true: "pcapng"}[ng]
		if r.Format() != want || r.LinkType() != 1 {
			t.Errorf("format %s link type %d, want %s and Ethernet", r.Format(), r.LinkType(), want)
		}
		for i, f := range frames {
			got, ts, err := r.Next()
			if err != nil || !bytes.Equal(got, f) || ts.Unix() != time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Unix() {
				t.Fatalf("%s frame %d: %q at %v, %v", want, i, got, ts, err)
			}
		}
		if _, _, err := r.Next(); !errors.Is(err, io.EOF) {
			t.Errorf("%s: after the last frame: %v, want EOF", want, err)
		}
		r.Close()
	}
}

func TestCutCaptureAndNonCapture(t *testing.T) {
	path := writeCapture(t, false)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)-100], 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var last error
	for range len(frames) {
		if _, _, last = r.Next(); last != nil {
			break
		}
	}
	if last == nil || !strings.Contains(last.Error(), "middle of a frame") {
		t.Errorf("cut capture: %v, want an error saying the file ends mid-frame", last)
	}
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("not a capture at all"), 0o600)
	if _, err := Open(text); err == nil || !strings.Contains(err.Error(), "pcap or pcapng") {
		t.Errorf("text file: %v", err)
	}
}
