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

// An IPv6 listener reads the same way (recvmmsg does not care about the family).
func TestUDPListenerIPv6(t *testing.T) {
	address := fmt.Sprintf("[::1]:%d", freeport.Port(t))
	l, err := ListenUDP(address, 8)
	if err != nil {
		t.Fatalf("%v (IPv6 loopback needed: sysctl net.ipv6.conf.lo.disable_ipv6=0)", err)
	}
	defer l.Close()
	conn, err := net.Dial("udp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("over ipv6")); err != nil {
		t.Fatal(err)
	}
	b, err := l.Read()
	if err != nil || len(b.Frames) != 1 || string(b.Frames[0]) != "over ipv6" || b.Bytes != 9 {
		t.Fatalf("Read = %q (%d bytes), %v; want the one datagram", b.Frames, b.Bytes, err)
	}
}

// Reading a batch allocates nothing: at 400,000 datagrams a second, anything per datagram
// would keep the collector busy.
func TestUDPListenerReadAllocatesNothing(t *testing.T) {
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
	datagram := []byte("vxlan datagram")
	read := 0
	allocs := testing.AllocsPerRun(50, func() {
		for range 8 {
			if _, err := conn.Write(datagram); err != nil {
				t.Fatal(err)
			}
		}
		for got := 0; got < 8; {
			b, err := l.Read()
			if err != nil || len(b.Frames) == 0 {
				t.Fatalf("Read = %d frames, %v; want the datagrams just sent", len(b.Frames), err)
			}
			got += len(b.Frames)
			read += len(b.Frames)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per 8 datagrams sent and read, want 0", allocs)
	}
	if read != 51*8 {
		t.Errorf("read %d datagrams, sent %d", read, 51*8)
	}
}

// BenchmarkUDPListenerReadFullQueue is the receiving side's cost when the sensor is behind
// (the case that decides whether it loses datagrams): a queue of 64 VXLAN-sized datagrams
// is read per iteration. Sending is outside the timer; on loopback the sender's system
// call also carries the kernel's delivery, which is not the listener's cost.
func BenchmarkUDPListenerReadFullQueue(b *testing.B) {
	address := fmt.Sprintf("127.0.0.1:%d", freeport.Port(b))
	l, err := ListenUDP(address, DefaultBatchSize)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	conn, err := net.Dial("udp", address)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	datagram := make([]byte, 118) // a mirrored SYN: VXLAN header and a 110-byte frame
	datagram[0] = 0x08
	b.ReportAllocs()
	read := 0
	for b.Loop() {
		b.StopTimer()
		for range DefaultBatchSize {
			if _, err := conn.Write(datagram); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for got := 0; got < DefaultBatchSize; {
			batch, err := l.Read()
			if err != nil {
				b.Fatal(err)
			}
			got += len(batch.Frames)
		}
		read += DefaultBatchSize
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(read), "ns/datagram")
}
