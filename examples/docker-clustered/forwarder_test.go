package dockerclustered_test

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// maxForwardedConns bounds the connections one forwarder serves: discovery needs a
// handful (a list now and then, one event stream).
const maxForwardedConns = 10000

// apiForwarder stands in for the applications' engine listening on TCP: it accepts on a
// TCP address and relays each connection, byte for byte, to the engine's unix socket,
// which is what `dockerd -H tcp://addr` would serve. It counts the connections, so the
// test can tell the WAF really used it.
type apiForwarder struct {
	listener net.Listener
	socket   string
	accepted atomic.Int64

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// startForwarder listens on addr and relays to socket until the test ends.
func startForwarder(t *testing.T, addr, socket string) *apiForwarder {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the Docker API forwarder cannot listen on %s: %v", addr, err)
	}
	f := &apiForwarder{listener: l, socket: socket, conns: map[net.Conn]bool{}}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

// Accepted is how many connections the forwarder has relayed.
func (f *apiForwarder) Accepted() int64 { return f.accepted.Load() }

func (f *apiForwarder) serve() {
	defer f.wg.Done()
	for f.accepted.Load() < maxForwardedConns {
		client, err := f.listener.Accept()
		if err != nil {
			return // closed
		}
		f.accepted.Add(1)
		f.wg.Add(1)
		go f.relay(client)
	}
}

// relay copies both ways until either side closes, then closes both.
func (f *apiForwarder) relay(client net.Conn) {
	defer f.wg.Done()
	engine, err := net.Dial("unix", f.socket)
	if err != nil {
		client.Close()
		return
	}
	if !f.track(client, engine) {
		return
	}
	defer f.untrack(client, engine)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(engine, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, engine); done <- struct{}{} }()
	<-done
	client.Close()
	engine.Close()
	<-done
}

// track records a relayed pair so close can end it; false when the forwarder is closing.
func (f *apiForwarder) track(conns ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		f.conns[c] = true
	}
	return true
}

func (f *apiForwarder) untrack(conns ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range conns {
		delete(f.conns, c)
	}
}

// close stops accepting, ends every relayed connection (the WAF's event stream among
// them) and waits for the goroutines.
func (f *apiForwarder) close() {
	f.listener.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.wg.Wait()
}
