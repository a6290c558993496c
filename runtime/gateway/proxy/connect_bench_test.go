package proxy

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// BenchmarkConnectSetup measures what one tunnel costs to set up (CONNECT parsed and
// checked, SNI read from the ClientHello, destination dialled, 200 sent, the hello passed
// on) on a real proxy port with require_sni_match. allocs/op counts the whole process:
// the client and origin ends here allocate little next to the proxy.
func BenchmarkConnectSetup(b *testing.B) {
	hello := recordClientHello(b, originHost)
	originListener := listenLoopback(b)
	b.Cleanup(func() { originListener.Close() })
	go acceptAndDrain(originListener, len(hello))

	port := originListener.Addr().(*net.TCPAddr).Port
	p := startProxy(b, &config.Config{
		NoDefaultDomains: true,
		RequireSNIMatch:  true,
		Allow:            []config.Allow{{Destination: originHost, TunnelPorts: []int{port}, AllowPrivate: true}},
		HostMappings:     map[string]string{originHost: "127.0.0.1"},
	})
	request := append([]byte("CONNECT "+originHost+":"+itoa(port)+" HTTP/1.1\r\nHost: "+originHost+"\r\n\r\n"), hello...)

	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			b.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(request); err != nil {
			b.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("CONNECT answer %v, %v; want 200", resp, err)
		}
		// The origin closes once it has the hello: the tunnel ends.
		if _, err := io.Copy(io.Discard, br); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// recordClientHello returns the ClientHello a Go TLS client sends for serverName.
func recordClientHello(tb testing.TB, serverName string) []byte {
	tb.Helper()
	client, server := net.Pipe()
	defer server.Close()
	go func() {
		tls.Client(client, &tls.Config{ServerName: serverName}).Handshake()
		client.Close()
	}()
	hello, err := peekHello(server)
	if err != nil {
		tb.Fatal(err)
	}
	return hello
}

func peekHello(c net.Conn) ([]byte, error) {
	sni, hello, err := peekServerName(bufio.NewReader(c))
	if err == nil && sni == "" {
		err = io.ErrUnexpectedEOF
	}
	return hello, err
}

// acceptAndDrain is an origin that reads n bytes from each connection, then closes it.
func acceptAndDrain(l net.Listener, n int) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.ReadFull(c, make([]byte, n))
		}()
	}
}
