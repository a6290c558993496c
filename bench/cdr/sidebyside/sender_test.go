package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestSendPacedDeliversEveryDatagramInOrder(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	const n = 1000
	payloads := make([][]byte, n)
	for i := range payloads {
		payloads[i] = []byte{byte(i >> 8), byte(i), 'x'}
	}
	result, err := sendPaced(t.Context(), conn.LocalAddr().String(), payloads, 200_000, 10*time.Second)
	if err != nil || result.Sent != n {
		t.Fatalf("sendPaced = %+v, %v; want %d sent", result, err, n)
	}
	buf := make([]byte, 64)
	for i := range n {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if m != 3 || int(buf[0])<<8|int(buf[1]) != i {
			t.Fatalf("datagram %d holds %v, want sequence number %d", i, buf[:m], i)
		}
	}
}

func TestSendPacedStopsAtItsTimeLimit(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	payloads := make([][]byte, 1_000_000)
	for i := range payloads {
		payloads[i] = []byte("x")
	}
	// At 1,000 datagrams/s a million would take 17 minutes; the limit ends it.
	result, err := sendPaced(t.Context(), conn.LocalAddr().String(), payloads, 1000, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if result.Sent == 0 || result.Sent >= len(payloads) {
		t.Fatalf("sent %d of %d; want the time limit to stop the sender part-way", result.Sent, len(payloads))
	}
}

func TestSendPacedSendsOnlyToLoopback(t *testing.T) {
	_, err := sendPaced(t.Context(), "192.0.2.1:4789", [][]byte{[]byte("x")}, 1000, time.Second)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("sendPaced to a non-loopback address: %v; want a refusal naming loopback", err)
	}
}

// TestSendPacedGSODeliversSeparateDatagrams: with segmentation offload the receiver still
// gets one datagram per payload, in order, padded to one size.
func TestSendPacedGSODeliversSeparateDatagrams(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	const n = 1000
	payloads := make([][]byte, n)
	for i := range payloads {
		payloads[i] = append([]byte{byte(i >> 8), byte(i)}, make([]byte, i%7)...) // sizes 2-8
	}
	size, padded := padForGSO(payloads)
	if size != 8 {
		t.Fatalf("padded size %d, want 8 (the largest payload)", size)
	}
	result, err := sendPacedGSO(t.Context(), conn.LocalAddr().String(), padded, 200_000, 10*time.Second)
	if err != nil || result.Sent != n {
		t.Fatalf("sendPacedGSO = %+v, %v; want %d sent", result, err, n)
	}
	buf := make([]byte, 64)
	for i := range n {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if m != size || int(buf[0])<<8|int(buf[1]) != i {
			t.Fatalf("datagram %d holds %v (%d bytes), want sequence number %d in %d bytes", i, buf[:m], m, i, size)
		}
	}
}
