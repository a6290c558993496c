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

// TestRelayKeepsOneWayTrafficOpen: traffic in one direction keeps the tunnel open even
// though the other direction reads nothing for longer than the idle timeout (a download).
func TestRelayKeepsOneWayTrafficOpen(t *testing.T) {
	const idle = time.Second
	client, server, done := relayed(t, Timeouts{Idle: idle, HalfClosed: idle})
	buf := make([]byte, 1)
	for range 25 { // 2.5 idle timeouts of client→server traffic; server→client stays silent
		if _, err := client.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		server.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(server, buf); err != nil {
			t.Fatalf("server read while the client keeps sending: %v", err)
		}
		select {
		case res := <-done:
			t.Fatalf("the relay ended (%+v) while the client was sending", res)
		case <-time.After(idle / 10):
		}
	}
	// The silent direction still works.
	if _, err := server.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(client, buf); err != nil || buf[0] != 'y' {
		t.Fatalf("client read %q, %v; want \"y\"", buf, err)
	}
}

// TestRelayHalfClosedTimeout: once the client has finished sending, a server that neither
// answers nor closes gets the half-closed timeout, not the (long) idle timeout.
func TestRelayHalfClosedTimeout(t *testing.T) {
	client, _, done := relayed(t, Timeouts{Idle: time.Hour, HalfClosed: 200 * time.Millisecond})
	client.(*net.TCPConn).CloseWrite()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a half-closed tunnel is still open 10s after a 200ms half-closed timeout (idle is 1h)")
	}
}

// TestRelayOverWrappedConns: connections that are not sockets (TLS, net.Pipe) are relayed
// with plain reads.
func TestRelayOverWrappedConns(t *testing.T) {
	client, clientSide := net.Pipe()
	serverSide, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	done := make(chan Result, 1)
	go func() {
		done <- Relay(clientSide, serverSide, Timeouts{Idle: 10 * time.Second, HalfClosed: 10 * time.Second})
	}()

	go client.Write([]byte("ping"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(server, got); err != nil || string(got) != "ping" {
		t.Fatalf("server read %q, %v", got, err)
	}
	go server.Write([]byte("pong"))
	if _, err := io.ReadFull(client, got); err != nil || string(got) != "pong" {
		t.Fatalf("client read %q, %v", got, err)
	}
	client.Close()
	select {
	case res := <-done:
		if res.ClientToServer != 4 || res.ServerToClient != 4 {
			t.Fatalf("result %+v, want 4 bytes each way", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the relay did not end after the client closed")
	}
}
