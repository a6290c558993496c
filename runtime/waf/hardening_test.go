package waf_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// rawExchange sends raw bytes on a new connection and reads every response until the
// server closes it or nothing more arrives.
func rawExchange(t *testing.T, address, raw string) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var responses []*http.Response
	br := bufio.NewReader(c)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return responses
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		responses = append(responses, resp)
		if resp.Close {
			return responses
		}
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond)) // pipelined answers follow at once
	}
}

func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestSmugglingVectorsAreRefused sends each vector as raw bytes to the real server. Some
// net/http refuses itself (marked byGo), the others reach the connection guard; either way
// the client gets a 400 and the connection closes, and nothing reaches the upstream.
func TestSmugglingVectorsAreRefused(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	address := strings.TrimPrefix(w.url, "http://")
	tests := []struct {
		name     string
		raw      string
		byGo     bool   // net/http answers before the WAF sees it
		wantBody string // part of the WAF's explanation
	}{
		{"content-length and transfer-encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, "both Content-Length and Transfer-Encoding"},
		{"transfer-encoding then content-length", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", false, "both Content-Length and Transfer-Encoding"},
		{"identical duplicate content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", false, "more than one Content-Length"},
		{"conflicting content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", false, "more than one Content-Length"},
		{"content-length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", false, "more than one Content-Length"},
		{"content-length with sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", false, "not a number"},
		{"transfer-encoding gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", false, "only Transfer-Encoding accepted is chunked"},
		{"transfer-encoding gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", false, "only Transfer-Encoding accepted is chunked"},
		{"transfer-encoding twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, "only Transfer-Encoding accepted is chunked"},
		{"transfer-encoding xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", false, "only Transfer-Encoding accepted is chunked"},
		{"transfer-encoding in HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, "HTTP/1.0"},
		{"obs-fold with space", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", false, "folded"},
		{"obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n\ttwo\r\n\r\n", false, "folded"},
		{"NUL in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: o\x00ne\r\n\r\n", false, "control character"},
		{"NUL in a header name", "GET / HTTP/1.1\r\nHost: a\r\nX-\x00A: one\r\n\r\n", false, "control character"},
		{"NUL in the path", "GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n", false, "control character"},
		{"NUL in the method", "G\x00ET / HTTP/1.1\r\nHost: a\r\n\r\n", false, "control character"},
		{"bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", false, "control character"},
		{"space before the colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", false, "malformed"},
		{"the guard's own header", "GET / HTTP/1.1\r\nHost: a\r\nRampart-Rejected: obsolete-line-folding\r\n\r\n", false, "reserved"},
		{"invalid percent-encoding in the path", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", true, ""},
		{"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", true, ""},
		{"negative content-length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\nabc", false, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(a.requests())
			responses := rawExchange(t, address, tt.raw)
			if len(responses) != 1 {
				t.Fatalf("got %d responses, want exactly one", len(responses))
			}
			resp := responses[0]
			if resp.StatusCode != http.StatusBadRequest || !resp.Close {
				t.Errorf("status %d, close %v; want 400 and the connection closed", resp.StatusCode, resp.Close)
			}
			body := bodyOf(resp)
			if !tt.byGo && (!strings.Contains(body, tt.wantBody) || resp.Header.Get("X-Request-Id") == "") {
				t.Errorf("body %q (request id %q), want the WAF's explanation containing %q and a request id", body, resp.Header.Get("X-Request-Id"), tt.wantBody)
			}
			if got := len(a.requests()); got != before {
				t.Errorf("the upstream received the refused request")
			}
		})
	}
	if !strings.Contains(w.logs.String(), `"msg":"request refused"`) {
		t.Error("refusals are not logged")
	}
}

// TestGuardFollowsKeepAliveFraming pipelines requests with bodies on one connection: the
// guard must find every next head after Content-Length and chunked bodies (with
// extensions and trailers), and refuse a smuggled head hidden after a body.
func TestGuardFollowsKeepAliveFraming(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("off", a.address()))
	address := strings.TrimPrefix(w.url, "http://")

	valid := "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world" +
		"POST /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-A: x\r\n\r\n" +
		"GET /three HTTP/1.1\r\nHost: a\r\n\r\n" +
		"POST /four HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n" +
		"GET /five HTTP/1.1\nHost: a\n\n" // bare LF line ends, which net/http accepts
	responses := rawExchange(t, address, valid)
	if len(responses) != 5 {
		t.Fatalf("got %d responses to 5 pipelined requests", len(responses))
	}
	for i, resp := range responses {
		if resp.StatusCode != http.StatusOK {
			t.Errorf("response %d: %d %s", i, resp.StatusCode, bodyOf(resp))
		}
	}
	var paths []string
	for _, r := range a.requests() {
		paths = append(paths, r.URL.Path)
	}
	if got := strings.Join(paths, " "); got != "/one /two /three /four /five" {
		t.Errorf("upstream saw %s", got)
	}

	// A body that looks like a request to a front end that ignores Transfer-Encoding.
	smuggled := "POST /six HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
		"GET /seven HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"
	responses = rawExchange(t, address, smuggled)
	if len(responses) != 2 || responses[0].StatusCode != http.StatusOK || responses[1].StatusCode != http.StatusBadRequest {
		t.Fatalf("want 200 then 400, got %d responses", len(responses))
	}
	if last := a.requests()[len(a.requests())-1].URL.Path; last != "/six" {
		t.Errorf("last upstream request %s, want /six", last)
	}
}

func TestMaxBodyBytes(t *testing.T) {
	a := startBackend(t, "a")
	cfg := simpleConfig("off", a.address())
	cfg.Limits = &config.Limits{MaxBodyBytes: 10}
	w := startWAF(t, cfg)
	address := strings.TrimPrefix(w.url, "http://")
	tests := []struct {
		name string
		raw  string
		want int
	}{
		{"declared length within", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", http.StatusOK},
		{"declared length over", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n0123456789A", http.StatusRequestEntityTooLarge},
		{"chunked within", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", http.StatusOK},
		{"chunked over", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n56789A\r\n0\r\n\r\n", http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			responses := rawExchange(t, address, tt.raw)
			if len(responses) != 1 || responses[0].StatusCode != tt.want {
				if len(responses) > 0 {
					t.Fatalf("status %d %q, want %d", responses[0].StatusCode, bodyOf(responses[0]), tt.want)
				}
				t.Fatalf("no response, want %d", tt.want)
			}
		})
	}
}

// TestInvalidPercentEncodingInTheQuery: net/http refuses a path with bad escapes (400
// above); a query is not decoded by net/http, so it reaches the rules as sent and they
// judge it (403 or pass) without a crash or a 5xx. (httputil.ReverseProxy then drops the
// query parameters it cannot parse from what it forwards.)
func TestInvalidPercentEncodingInTheQuery(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	address := strings.TrimPrefix(w.url, "http://")
	for _, query := range []string{"q=%zz%4", "r=%%41%00", "s=%", "t=%u0041", "u=%C0%AF"} {
		responses := rawExchange(t, address, "GET /search?"+query+" HTTP/1.1\r\nHost: a\r\n\r\n")
		if len(responses) != 1 {
			t.Fatalf("%s: %d responses, want one", query, len(responses))
		}
		if status := responses[0].StatusCode; status != http.StatusOK && status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 200 or 403", query, status)
		}
	}
}

// TestRequestLineAndHostHygiene: request lines and Host values HTTP forbids but net/http
// accepts (or answers 505) are refused by the guard with 400; their valid neighbours pass.
func TestRequestLineAndHostHygiene(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("off", a.address()))
	address := strings.TrimPrefix(w.url, "http://")
	tests := []struct {
		name   string
		raw    string
		status int
		body   string // part of the WAF's explanation, for refusals
	}{
		{"HTTP/0.9 named in the line", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 400, "below 1.0"},
		{"HTTP/0.8", "GET / HTTP/0.8\r\nHost: a\r\n\r\n", 400, "below 1.0"},
		{"fragment in the target", "GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment"},
		{"fragment after a query", "GET /a?b=c#d HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment"},
		{"CONNECT without port", "CONNECT www.example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400, "host:port"},
		{"CONNECT with a path", "CONNECT /rpc HTTP/1.1\r\nHost: a\r\n\r\n", 400, "host:port"},
		{"empty Host in HTTP/1.1", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, "must name its host"},
		{"percent-encoded NUL in Host", "GET / HTTP/1.1\r\nHost: localhost%00\r\n\r\n", 400, "not a host name"},
		{"percent-encoded control in Host", "GET / HTTP/1.1\r\nHost: localhost%1F\r\n\r\n", 400, "not a host name"},
		{"userinfo in Host", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, "not a host name"},
		{"port with letters", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400, "not a host name"},
		{"host name and port", "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", 200, ""},
		{"IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 200, ""},
		{"IPv4 address", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200, ""},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 200, ""},
		{"HTTP/1.0 with an empty Host", "GET / HTTP/1.0\r\nHost:\r\n\r\n", 200, ""},
		{"colon in the path", "GET /a:b?c=d HTTP/1.1\r\nHost: a\r\n\r\n", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			responses := rawExchange(t, address, tt.raw)
			if len(responses) != 1 {
				t.Fatalf("got %d responses, want one", len(responses))
			}
			resp := responses[0]
			body := bodyOf(resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %q, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status == 400 && (!strings.Contains(body, tt.body) || !resp.Close) {
				t.Errorf("body %q (close %v), want the explanation %q and the connection closed", body, resp.Close, tt.body)
			}
		})
	}
}
