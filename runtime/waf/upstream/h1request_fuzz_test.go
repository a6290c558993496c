package upstream

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzAppendRequest feeds client request heads, parsed as net/http parses them, to the
// lean path's request writer. Whatever the client sent, what goes to the member is either
// refused or exactly one well-framed request: it parses, declares exactly its body, leaves
// no byte over (nothing smuggled behind it), carries no hop-by-hop header and names the
// client as the WAF saw it.
func FuzzAppendRequest(f *testing.F) {
	seeds := []string{
		"GET /search?q=blue+mug&page=2 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"POST /api HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		"GET /q?a=1;b=2 HTTP/1.1\r\nHost: a\r\nConnection: X-A, close\r\nX-A: 1\r\nTE: trailers\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"GET http://other/abs HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\nKeep-Alive: 5\r\nUpgrade: h2c\r\n\r\n",
		"GET /%zz?%zz HTTP/1.1\r\nHost: [::1]:80\r\nX-V: a\tb\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return // net/http would refuse it before the WAF sees it
		}
		r.RemoteAddr = "192.0.2.7:40000"
		if bufferSmallBody(r) != nil || !handlesRequest(r) {
			return
		}
		body := requestBody(r)
		out, err := appendRequest(nil, r, "127.0.0.1:8080", body)
		if err != nil {
			return
		}

		in := bufio.NewReader(bytes.NewReader(out))
		sent, err := http.ReadRequest(in)
		if err != nil {
			t.Fatalf("the member cannot parse what the WAF sends: %v\n%q", err, out)
		}
		got, err := io.ReadAll(sent.Body)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("the member reads body %q (%v), the client sent %q\n%q", got, err, body, out)
		}
		if in.Buffered() != 0 {
			t.Fatalf("bytes after the request would reach the member as another request\n%q", out)
		}
		if sent.Method != r.Method {
			t.Fatalf("method %q became %q", r.Method, sent.Method)
		}
		for key := range hopHeaders {
			if key == "Te" && sent.Header.Get("Te") == "trailers" {
				continue
			}
			if _, ok := sent.Header[key]; ok {
				t.Fatalf("hop-by-hop header %s was forwarded\n%q", key, out)
			}
		}
		if xff := sent.Header["X-Forwarded-For"]; len(xff) != 1 || xff[0] != "192.0.2.7" {
			t.Fatalf("X-Forwarded-For %q, want the client address only", xff)
		}
		if strings.Contains(sent.Host, "\n") {
			t.Fatalf("Host %q", sent.Host)
		}
	})
}
