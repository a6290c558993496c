package tunnel

import (
	"io"
	"net"
	"testing"
	"time"
)

// pair returns the two ends of a real loopback TCP connection.
func pair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// relayed starts a relay between a client and a server and returns their far ends.
func relayed(t testing.TB, to Timeouts) (client, server net.Conn, done chan Result) {
	client, clientSide := pair(t)
	serverSide, server := pair(t)
	done = make(chan Result, 1)
	go func() { done <- Relay(clientSide, serverSide, to) }()
	return client, server, done
}

func TestRelayCopiesAndHalfCloses(t *testing.T) {
	client, server, done := relayed(t, Timeouts{Idle: 10 * time.Second, HalfClosed: 10 * time.Second})
	payload := make([]byte, 3*BufferSize+17) // more than one pooled buffer
	for i := range payload {
		payload[i] = byte(i)
	}
	go func() {
		client.Write(payload)
		client.(*net.TCPConn).CloseWrite() // the client is done sending
	}()
	got, err := io.ReadAll(server) // ends at the client's FIN, passed on by the relay
	if err != nil || len(got) != len(payload) {
		t.Fatalf("server read %d bytes, err %v; want %d", len(got), err, len(payload))
	}
	// The other direction still works after the half-close.
	if _, err := server.Write([]byte("answer")); err != nil {
		t.Fatal(err)
	}
	server.Close()
	answer, _ := io.ReadAll(client)
	if string(answer) != "answer" {
		t.Fatalf("client read %q after half-close, want \"answer\"", answer)
	}
	res := <-done
	if res.ClientToServer != int64(len(payload)) || res.ServerToClient != 6 {
		t.Fatalf("result %+v", res)
	}
}

func TestRelayClosesIdleTunnels(t *testing.T) {
	client, server, done := relayed(t, Timeouts{Idle: 200 * time.Millisecond, HalfClosed: 100 * time.Millisecond})
	client.Write([]byte("x"))
	buf := make([]byte, 1)
	if _, err := io.ReadFull(server, buf); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("an idle tunnel is still open 10s after a 200ms idle timeout")
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(buf); err != io.EOF {
		t.Fatalf("client read after the idle close: %v, want EOF", err)
	}
}

// BenchmarkRelay measures tunnel throughput over loopback.
func BenchmarkRelay(b *testing.B) {
	client, server, _ := relayed(b, Timeouts{Idle: time.Minute, HalfClosed: time.Minute})
	chunk := make([]byte, BufferSize)
	go func() {
		buf := make([]byte, BufferSize)
		for {
			if _, err := server.Read(buf); err != nil {
				return
			}
		}
	}()
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	client.Close()
}
