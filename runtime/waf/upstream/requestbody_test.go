package upstream

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Bodies reach the member whole and with their framing, whether they are buffered (small,
// declared length) or streamed (large, chunked, or waiting for 100-continue).
func TestRequestBodiesReachTheMember(t *testing.T) {
	backend := startBackend(t, "app")
	backend.handler.Store(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(w, "%d %d %v %s", r.ContentLength, len(data), r.TransferEncoding, hex.EncodeToString(sum[:]))
	})
	p := newTestPool(t, config.Pool{Name: "p", Members: members(backend.address())})
	front := startFront(t, p)

	tests := []struct {
		name    string
		size    int
		chunked bool
		expect  bool
		wantCL  int64
		wantTE  string
	}{
		{"small", 2037, false, false, 2037, "[]"},
		{"at the buffering limit", maxBufferedBody, false, false, maxBufferedBody, "[]"},
		{"over the buffering limit", maxBufferedBody + 1, false, false, maxBufferedBody + 1, "[]"},
		{"large", 1 << 20, false, false, 1 << 20, "[]"},
		{"chunked", 5000, true, false, -1, "[chunked]"},
		{"expect 100-continue", 2037, false, true, 2037, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Repeat([]byte("0123456789abcdef"), tt.size/16+1)[:tt.size]
			var body io.Reader = bytes.NewReader(data)
			if tt.chunked {
				body = io.MultiReader(body) // unknown length: the client sends it chunked
			}
			req, err := http.NewRequest(http.MethodPost, front+"/upload", body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.expect {
				req.Header.Set("Expect", "100-continue")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			sum := sha256.Sum256(data)
			want := fmt.Sprintf("%d %d %s %s", tt.wantCL, tt.size, tt.wantTE, hex.EncodeToString(sum[:]))
			if resp.StatusCode != http.StatusOK || string(got) != want {
				t.Errorf("member saw %d %q, want 200 %q", resp.StatusCode, got, want)
			}
		})
	}
}

// A client that ends its connection before the small body it announced is answered 400,
// and the member never sees the truncated request.
func TestTruncatedSmallBodyIsNotForwarded(t *testing.T) {
	backend := startBackend(t, "app")
	p := newTestPool(t, config.Pool{Name: "p", Members: members(backend.address())})
	front := startFront(t, p)

	conn, err := net.Dial("tcp", strings.TrimPrefix(front, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 100\r\n\r\nonly ten b")
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if n := backend.served.Load(); n != 0 {
		t.Errorf("member served %d requests, want 0", n)
	}
}
