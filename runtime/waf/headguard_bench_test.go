package waf

import (
	"io"
	"net"
	"testing"
)

// BenchmarkGuardedConnKeepAlive measures the guard on a keep-alive connection: one typical
// request head and a small Content-Length body per iteration.
func BenchmarkGuardedConnKeepAlive(b *testing.B) {
	request := []byte("POST /api/items?page=2&sort=name HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: bench/1.0\r\n" +
		"Accept: application/json\r\nContent-Type: application/json\r\nCookie: session=abcdef0123456789\r\nContent-Length: 13\r\n\r\n{\"name\":\"x\"}\n")
	client, server := net.Pipe()
	defer client.Close()
	g := newGuardedConn(server, 64<<10+4096)
	go func() {
		for range b.N {
			if _, err := client.Write(request); err != nil {
				return
			}
		}
		client.Close()
	}()
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(request)))
	b.ReportAllocs()
	b.ResetTimer()
	var total int
	for {
		n, err := g.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if total != b.N*len(request) {
		b.Fatalf("read %d bytes, want %d", total, b.N*len(request))
	}
}
