package ingest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// Every datagram sent is read exactly once, in batches, with its bytes intact, and the
// listener's loss counter agrees with what arrived.
func TestUDPListenerReadsBatches(t *testing.T) {
	address := fmt.Sprintf("127.0.0.1:%d", freeport.Port(t))
	l, err := ListenUDP(address, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conn, err := net.Dial("udp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const sent = 1000
	for i := range sent {
		if _, err := conn.Write(fmt.Appendf(nil, "datagram %04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	seen := make([]bool, sent)
	got, batches, largest := 0, 0, 0
	deadline := time.Now().Add(10 * time.Second)
	for got+int(l.KernelDrops()) < sent && time.Now().Before(deadline) {
		b, err := l.Read()
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Frames) > 0 {
			batches++
			largest = max(largest, len(b.Frames))
		}
		for _, f := range b.Frames {
			var i int
			if _, err := fmt.Sscanf(string(f), "datagram %04d", &i); err != nil || seen[i] {
				t.Fatalf("datagram %q read twice or garbled", f)
			}
			seen[i] = true
			got++
		}
	}
	if got+int(l.KernelDrops()) != sent {
		t.Fatalf("read %d and the kernel dropped %d of %d sent", got, l.KernelDrops(), sent)
	}
	if largest < 2 {
		t.Errorf("no batch held more than one datagram (%d batches)", batches)
	}
}

func TestUDPListenerReturnsWhenIdle(t *testing.T) {
	l, err := ListenUDP(fmt.Sprintf("127.0.0.1:%d", freeport.Port(t)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := l.Read()
	if err != nil || len(b.Frames) != 0 {
		t.Fatalf("Read on a quiet socket = %d frames, %v; want an empty batch", len(b.Frames), err)
	}
}

func TestDropCountParsesControlMessage(t *testing.T) {
	oob := make([]byte, controlSize)
	// A SOL_SOCKET / SO_RXQ_OVFL control message carrying 7, laid out as the kernel does.
	h := cmsg(oob)
	h.Level, h.Type = 1, soRXQOverflow
	h.SetLen(headerLen() + 4)
	oob[headerLen()] = 7
	if n, ok := dropCount(oob); !ok || n != 7 {
		t.Fatalf("dropCount = %d, %v; want 7, true", n, ok)
	}
	if _, ok := dropCount(oob[:3]); ok {
		t.Fatal("a cut control message was read")
	}
}
