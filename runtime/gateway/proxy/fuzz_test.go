package proxy

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// FuzzProxyRequestHead feeds arbitrary heads to the proxy port's parser. Whatever it
// accepts must be unambiguous: net/http reads the same method, target and body framing,
// and no accepted head carries both framings or two lengths. The seeds run in every
// `go test`.
func FuzzProxyRequestHead(f *testing.F) {
	for _, seed := range []string{
		"GET http://app.test/ HTTP/1.1\r\nHost: app.test\r\n\r\n",
		"CONNECT app.test:443 HTTP/1.1\r\nHost: app.test:443\r\n\r\n",
		"POST http://app.test/ HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\n\r\n",
		"POST http://app.test/ HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST http://app.test/ HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST http://app.test/ HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n",
		"POST http://app.test/ HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
		"GET http://app.test/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET http://app.test/ HTTP/1.1\nHost: a\n\n",
		"GET http://app.test/ HTTP/1.1\r\nHost: a\rb\r\n\r\n",
		"GET  http://app.test/ HTTP/1.1\r\n\r\n",
		"GET http://app.test/ HTTP/2.0\r\n\r\n",
		"GET http://app.test/ HTTP/1.1\r\nContent-Length: +4\r\n\r\n",
		"GET http://app.test/ HTTP/1.1\r\nHost : a\r\n\r\n",
		"TRACE http://app.test/ HTTP/1.1\r\nConnection: close\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		h, err := ParseRequestHead(head)
		if err != nil {
			if _, ok := err.(*HeadError); !ok {
				t.Fatalf("error %T %v is not a *HeadError", err, err)
			}
			return
		}
		if h.Chunked && h.ContentLength >= 0 {
			t.Fatal("accepted both Content-Length and chunked")
		}
		if len(h.Header["Content-Length"]) > 1 || len(h.Header["Transfer-Encoding"]) > 1 {
			t.Fatal("accepted a repeated framing field")
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
		if err != nil {
			return // net/http is stricter about some targets (e.g. CONNECT without a port)
		}
		if req.Method != h.Method || req.RequestURI != h.Target {
			t.Fatalf("net/http reads %q %q, the gateway %q %q", req.Method, req.RequestURI, h.Method, h.Target)
		}
		if h.Chunked != (len(req.TransferEncoding) == 1 && req.TransferEncoding[0] == "chunked") {
			t.Fatalf("framing differs: gateway chunked=%v, net/http %v", h.Chunked, req.TransferEncoding)
		}
		if !h.Chunked && h.ContentLength >= 0 && req.ContentLength != h.ContentLength {
			t.Fatalf("length differs: gateway %d, net/http %d", h.ContentLength, req.ContentLength)
		}
	})
}
