package upstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// reverseProxyOnly hides the *http.Transport from the pool, so its members have no lean
// path and every request goes through httputil.ReverseProxy: the reference the lean path
// is compared with.
type reverseProxyOnly struct{ http.RoundTripper }

func referencePool(t *testing.T, address string) *Pool {
	t.Helper()
	return newTestPool(t, config.Pool{Name: "reference", Members: members(address)},
		PoolOptions{Transport: reverseProxyOnly{NewTransport()}})
}

func leanPool(t *testing.T, address string, opts ...PoolOptions) *Pool {
	t.Helper()
	p := newTestPool(t, config.Pool{Name: "lean", Members: members(address)}, opts...)
	if p.Members()[0].b.h1 == nil {
		t.Fatal("the pool's member has no lean path")
	}
	return p
}

// echoHead answers with what the member received: the request line and every header, one
// per line and sorted, then the body's length and hash. Its response carries hop-by-hop
// headers (listed in Connection, and the fixed ones) that must not reach the client.
func echoHead(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	lines := []string{fmt.Sprintf("%s %s %s", r.Method, r.RequestURI, r.Proto), "Host: " + r.Host,
		fmt.Sprintf("Content-Length: %d", r.ContentLength), fmt.Sprintf("Transfer-Encoding: %v", r.TransferEncoding)}
	for k, vs := range r.Header {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines[4:])
	lines = append(lines, fmt.Sprintf("body %d %x", len(body), sha256.Sum256(body)))
	h := w.Header()
	h.Set("Connection", "X-Member-Internal")
	h.Set("X-Member-Internal", "secret")
	h.Set("Keep-Alive", "timeout=5")
	h.Set("Proxy-Authenticate", "Basic")
	h.Set("X-App", "shop")
	h.Add("Set-Cookie", "a=1")
	h.Add("Set-Cookie", "b=2")
	io.WriteString(w, strings.Join(lines, "\n"))
}

// rawExchange sends a raw request to the front and returns the response status, headers
// (Date removed) and body.
func rawExchange(t *testing.T, front, request string) (int, http.Header, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(front, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(request, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Header.Del("Date")
	return resp.StatusCode, resp.Header, string(body)
}

// TestLeanPathForwardsLikeReverseProxy sends the same requests through the lean path and
// through httputil.ReverseProxy + http.Transport and requires that the member receives the
// same request and the client the same response: hop-by-hop headers removed both ways,
// X-Forwarded-* replaced, TE: trailers kept, unparsable queries re-encoded, Content-Length
// framing, HEAD.
func TestLeanPathForwardsLikeReverseProxy(t *testing.T) {
	backend := startBackend(t, "app")
	backend.handler.Store(echoHead)
	lean := startFront(t, leanPool(t, backend.address()))
	reference := startFront(t, referencePool(t, backend.address()))

	requests := map[string]string{
		"get with arguments": "GET /search?q=blue+mug&page=2 HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n",
		"hop-by-hop and forwarding headers": "GET /a HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive, X-Client-Secret\r\n" +
			"X-Client-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\n" +
			"TE: trailers, deflate\r\nUpgrade: h2c\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Host: evil\r\n" +
			"X-Forwarded-Proto: https\r\nForwarded: for=203.0.113.9\r\nX-Keep: yes\r\nX-Keep: twice\r\n\r\n",
		"semicolon query":         "GET /q?a=1;b=2&c=3 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"broken escape in query":  "GET /q?a=%zz&b=2 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"escaped path":            "GET /a%2Fb/c%20d?x=%41 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"absolute form":           "GET http://shop.example/abs?x=1 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"http/1.0 without host":   "GET /old HTTP/1.0\r\n\r\n",
		"head":                    "HEAD /h HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"post small body":         "POST /api HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":[1,2,3]}",
		"post empty body":         "POST /api HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 0\r\n\r\n",
		"put without body":        "PUT /api HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"delete without body":     "DELETE /api/1 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"options asterisk":        "OPTIONS * HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"header values with tabs": "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Tabbed: \t a\tb \t\r\n\r\n",
	}
	for name, request := range requests {
		t.Run(name, func(t *testing.T) {
			status, header, body := rawExchange(t, lean, request)
			wantStatus, wantHeader, wantBody := rawExchange(t, reference, request)
			if status != wantStatus || body != wantBody {
				t.Errorf("lean path: %d\n%s\nReverseProxy: %d\n%s", status, body, wantStatus, wantBody)
			}
			if !equalHeaders(header, wantHeader) {
				t.Errorf("client got headers %v, ReverseProxy gives %v", header, wantHeader)
			}
			for _, hop := range []string{"X-Member-Internal", "Keep-Alive", "Proxy-Authenticate"} {
				if _, ok := header[hop]; ok {
					t.Errorf("hop-by-hop response header %s reached the client", hop)
				}
			}
		})
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// countingBackend is a member that answers "ok" and counts its connections; it closes
// connections idle for idleTimeout (0: never).
type countingBackend struct {
	address        string
	accepted, open atomic.Int64
}

func startCountingBackend(t *testing.T, idleTimeout time.Duration) *countingBackend {
	t.Helper()
	b := &countingBackend{}
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	server.Config.IdleTimeout = idleTimeout
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			b.accepted.Add(1)
			b.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			b.open.Add(-1)
		}
	}
	server.Start()
	t.Cleanup(server.Close)
	b.address = server.Listener.Addr().String()
	return b
}

// TestLeanPathReusesOneConnection: sequential requests share one keep-alive connection
// to the member, which is back in the idle pool after each exchange.
func TestLeanPathReusesOneConnection(t *testing.T) {
	backend := startCountingBackend(t, 0)
	p := leanPool(t, backend.address)
	front := startFront(t, p)
	client := &http.Client{}
	for i := range 20 {
		method := http.MethodGet
		var body io.Reader
		if i%2 == 1 {
			method, body = http.MethodPost, strings.NewReader(`{"n":1}`)
		}
		if got := send(t, client, method, front, body); got.status != http.StatusOK || got.body != "ok" {
			t.Fatalf("request %d: %d %q", i, got.status, got.body)
		}
	}
	if n := backend.accepted.Load(); n != 1 {
		t.Errorf("20 sequential requests opened %d connections to the member, want 1", n)
	}
	if n := p.Members()[0].b.h1.idle.idleCount(); n != 1 {
		t.Errorf("%d idle connections after the requests, want 1", n)
	}
}

// TestLeanPathResponses covers the response framings: chunked, large streamed bodies,
// close-delimited, HEAD, 204 and 304, trailers and 1xx informational responses.
func TestLeanPathResponses(t *testing.T) {
	large := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB
	backend := startBackend(t, "app")
	backend.handler.Store(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "part %d;", i)
				w.(http.Flusher).Flush()
			}
		case "/large":
			w.Header().Set("Content-Length", fmt.Sprint(len(large)))
			w.Write(large)
		case "/head":
			w.Header().Set("Content-Length", "1234")
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/304":
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		case "/trailers":
			w.Header().Set("Trailer", "X-Checksum")
			io.WriteString(w, "body")
			w.Header().Set("X-Checksum", "abc")
		case "/early-hints":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Del("Link")
			io.WriteString(w, "final")
		case "/close-delimited":
			conn, buf, _ := http.NewResponseController(w).Hijack()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
			buf.Flush()
			conn.Close()
		}
	})
	p := leanPool(t, backend.address())
	front := startFront(t, p)

	tests := []struct {
		method, path string
		status       int
		body         string
		header       string // a header the client must get, "Name: value"
	}{
		{"GET", "/chunked", 200, "part 0;part 1;part 2;", ""},
		{"GET", "/large", 200, string(large), fmt.Sprintf("Content-Length: %d", len(large))},
		{"HEAD", "/head", 200, "", "Content-Length: 1234"},
		{"GET", "/204", 204, "", ""},
		{"GET", "/304", 304, "", `Etag: "v1"`},
		{"GET", "/close-delimited", 200, "until the end", "Content-Type: text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, front+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("got %d with %d bytes, want %d with %d bytes", resp.StatusCode, len(body), tt.status, len(tt.body))
			}
			if name, value, ok := strings.Cut(tt.header, ": "); ok && resp.Header.Get(name) != value {
				t.Errorf("%s: %q, want %q", name, resp.Header.Get(name), value)
			}
		})
	}

	t.Run("trailers", func(t *testing.T) {
		resp, err := http.Get(front + "/trailers")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "body" || resp.Trailer.Get("X-Checksum") != "abc" {
			t.Errorf("got body %q and trailers %v, want body and X-Checksum: abc", body, resp.Trailer)
		}
	})

	t.Run("early hints", func(t *testing.T) {
		var hints []int
		var link string
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			hints, link = append(hints, code), h.Get("Link")
			return nil
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", front+"/early-hints", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !slices.Equal(hints, []int{103}) || link == "" || string(body) != "final" || resp.Header.Get("Link") != "" {
			t.Errorf("got 1xx %v (Link %q), final %q with Link %q; want one 103 with its Link, then the final answer without it",
				hints, link, body, resp.Header.Get("Link"))
		}
	})

	if n := p.Members()[0].b.h1.idle.idleCount(); n < 1 {
		t.Errorf("no idle connection kept after the exchanges")
	}
}

// TestLeanPathTruncatedBodyIsAborted: a member that closes before the body it announced
// is complete must not produce a response the client takes for whole.
func TestLeanPathTruncatedBodyIsAborted(t *testing.T) {
	backend := startBackend(t, "app")
	backend.handler.Store(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, _ := http.NewResponseController(w).Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
		buf.Flush()
		conn.Close()
	})
	front := startFront(t, leanPool(t, backend.address()))
	resp, err := http.Get(front)
	if err != nil {
		return // aborted before the headers reached the client: fine too
	}
	defer resp.Body.Close()
	if body, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("the client read %q as a complete response", body)
	}
}

// oneShotMember is a raw HTTP/1.1 server that answers the first request of every
// connection and then, on the first connection only, reads the next request and closes
// without answering: the race in which a member closes an idle connection just as a
// request is sent on it.
func oneShotMember(t *testing.T) (address string, accepted *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted = new(atomic.Int64)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			n := accepted.Add(1)
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				in := bufio.NewReader(conn)
				for i := 0; ; i++ {
					req, err := http.ReadRequest(in)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if n == 1 && i == 1 {
						return // closes with the request unanswered
					}
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}()
		}
	}()
	return l.Addr().String(), accepted
}

// TestLeanPathStaleConnection: a request that finds its pooled connection closed by the
// member before any answer is sent again on a new connection when it is safe to (GET), and
// fails when it is not (POST), as with http.Transport.
func TestLeanPathStaleConnection(t *testing.T) {
	t.Run("GET is retried on a new connection", func(t *testing.T) {
		address, accepted := oneShotMember(t)
		p := leanPool(t, address)
		front := startFront(t, p)
		for i := range 2 {
			if got := send(t, &http.Client{}, http.MethodGet, front, nil); got.status != http.StatusOK || got.body != "ok" {
				t.Fatalf("request %d: %d %q, want 200 ok", i, got.status, got.body)
			}
		}
		if n := accepted.Load(); n != 2 {
			t.Errorf("member accepted %d connections, want 2", n)
		}
		if f := p.Members()[0].Failures(); f != 0 {
			t.Errorf("a transparent retry counted %d member failures", f)
		}
	})
	t.Run("POST is not sent twice", func(t *testing.T) {
		address, accepted := oneShotMember(t)
		front := startFront(t, leanPool(t, address))
		send(t, &http.Client{}, http.MethodPost, front, strings.NewReader("1"))
		if got := send(t, &http.Client{}, http.MethodPost, front, strings.NewReader("2")); got.status != http.StatusBadGateway {
			t.Errorf("POST on a connection the member dropped: %d, want 502", got.status)
		}
		if n := accepted.Load(); n != 1 {
			t.Errorf("member accepted %d connections, want 1 (no second attempt)", n)
		}
	})
	t.Run("a connection the member closed while idle is not used", func(t *testing.T) {
		backend := startCountingBackend(t, 20*time.Millisecond)
		front := startFront(t, leanPool(t, backend.address))
		send(t, &http.Client{}, http.MethodPost, front, strings.NewReader("1"))
		waitFor(t, "the member to close its idle connection", func() bool { return backend.open.Load() == 0 })
		if got := send(t, &http.Client{}, http.MethodPost, front, strings.NewReader("2")); got.status != http.StatusOK {
			t.Errorf("POST after the member closed the idle connection: %d, want 200", got.status)
		}
	})
}

// TestLeanPathUnsolicitedBytesDropTheConnection: bytes after a complete response mean the
// member is out of step; the connection must not carry another request.
func TestLeanPathUnsolicitedBytesDropTheConnection(t *testing.T) {
	backend := startBackend(t, "app")
	backend.handler.Store(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, _ := http.NewResponseController(w).Hijack()
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled")
		buf.Flush()
	})
	p := leanPool(t, backend.address())
	front := startFront(t, p)
	for i := range 2 {
		if got := send(t, &http.Client{}, http.MethodGet, front, nil); got.body != "ok" {
			t.Fatalf("request %d got %q, want ok", i, got.body)
		}
	}
	if n := p.Members()[0].b.h1.idle.idleCount(); n != 0 {
		t.Errorf("%d connections with unsolicited bytes went back to the idle pool", n)
	}
}

// TestLeanPathLimits: limits.upstream_timeout bounds the wait for the response headers,
// and an endless response head is cut at maxResponseHeadBytes; both answer 502 and count
// as member failures.
func TestLeanPathLimits(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	backend := startBackend(t, "app")
	backend.handler.Store(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/huge-head":
			for i := range 20000 {
				w.Header().Add("X-Filler", fmt.Sprintf("%06d-%s", i, strings.Repeat("x", 80)))
			}
		}
	})
	p := leanPool(t, backend.address(), PoolOptions{UpstreamTimeout: 200 * time.Millisecond})
	front := startFront(t, p)
	for _, path := range []string{"/slow", "/huge-head"} {
		before := p.Members()[0].Failures()
		if got := send(t, &http.Client{}, http.MethodGet, front+path, nil); got.status != http.StatusBadGateway {
			t.Errorf("%s: %d, want 502", path, got.status)
		}
		if p.Members()[0].Failures() != before+1 {
			t.Errorf("%s: not counted as a member failure", path)
		}
	}
}

// TestLeanPathClientGoneEndsTheUpstreamRequest: when the client disconnects while the
// member is still working, the member's connection is closed (its request context ends)
// instead of being held until the upstream timeout.
func TestLeanPathClientGoneEndsTheUpstreamRequest(t *testing.T) {
	entered, memberSawEnd := make(chan struct{}, 1), make(chan struct{})
	backend := startBackend(t, "app")
	backend.handler.Store(func(_ http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-r.Context().Done():
			close(memberSawEnd)
		case <-time.After(10 * time.Second):
		}
	})
	front := startFront(t, leanPool(t, backend.address()))
	conn, err := net.Dial("tcp", strings.TrimPrefix(front, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /wait HTTP/1.1\r\nHost: shop.example\r\n\r\n")
	<-entered
	conn.Close()
	select {
	case <-memberSawEnd:
	case <-time.After(5 * time.Second):
		t.Fatal("the member's request was not ended within 5 s of the client leaving")
	}
}
