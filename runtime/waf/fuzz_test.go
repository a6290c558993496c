package waf_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// attackPayload is a request argument every inspector of this WAF blocks.
const attackPayload = "<script>alert(1)</script>"

// FuzzRequestPath feeds raw bytes to the real server over TCP (guard, hardening,
// inspection, proxy to an in-process upstream). Properties:
//   - nothing panics (net/http would recover and log the panic; the log is checked);
//   - every answer is well-formed HTTP, and never a 5xx (the upstream is up);
//   - the attack request, blocked in its canonical form, is also blocked when its header
//     name case, its optional whitespace (OWS) or the percent-encoding of its query vary
//     in ways HTTP allows. variant chooses the variation.
//
// Run: go test ./runtime/waf -run '^$' -fuzz FuzzRequestPath -fuzztime 60s
func FuzzRequestPath(f *testing.F) {
	a := startBackend(f, "a")
	w := startWAF(f, simpleConfig("block", a.address()))
	address := strings.TrimPrefix(w.url, "http://")

	canonical := attackRequest(0)
	if status := exchangeStatus(f, address, []byte(canonical), 5*time.Second); status != http.StatusForbidden {
		f.Fatalf("the canonical attack got %d, want 403: the property needs a blocked seed", status)
	}
	seeds := []string{
		canonical,
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17\r\n\r\nuser=a&pass=b%27c",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nq=%3\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET /%zz?%%%00 HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
		"GET /a?q=%C0%AF%u0041 HTTP/1.0\r\n\r\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint32(i*7919))
	}
	f.Fuzz(func(t *testing.T, raw []byte, variant uint32) {
		logLength := len(w.logs.String())
		if status := exchangeStatus(t, address, raw, rawWait); status >= 500 {
			t.Errorf("status %d for %q", status, raw)
		}
		varied := attackRequest(variant)
		if status := exchangeStatus(t, address, []byte(varied), 5*time.Second); status != http.StatusForbidden {
			t.Errorf("the canonical attack is blocked but this variation got %d:\n%q", status, varied)
		}
		if logs := w.logs.String()[logLength:]; strings.Contains(logs, "panic") {
			t.Fatalf("the server panicked on %q:\n%s", raw, logs)
		}
	})
}

// rawWait is how long a fuzzed request gets for an answer. Mutated requests often announce
// more than they send, and the server rightly waits for the rest: the wait bounds the cost
// of each such input (a loaded machine only loses a check, never fails one).
const rawWait = 300 * time.Millisecond

// exchangeStatus sends raw on a new connection and returns the first answer's status, or
// 0 when there is none: net/http closes the connection on some garbage, and a request
// announcing more body than sent waits for it (the client must not half-close: net/http
// takes that for a client gone and cancels the request).
func exchangeStatus(t testing.TB, address string, raw []byte, wait time.Duration) int {
	t.Helper()
	c, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	c.Write(raw)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		var netErr net.Error
		if err == io.EOF || errors.As(err, &netErr) || strings.Contains(err.Error(), "connection reset") {
			return 0
		}
		t.Fatalf("malformed answer to %q: %v", raw, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// attackRequest is the attack GET, varied by the bits of variant in ways that do not
// change its meaning: the case of header names, optional whitespace around header values,
// and how the query is percent-encoded (which characters, upper or lower hex digits).
// variant 0 is the canonical form.
func attackRequest(variant uint32) string {
	bit := func(i int) bool { return variant&(1<<(i%32)) != 0 }
	var query strings.Builder
	for i := 0; i < len(attackPayload); i++ {
		c := attackPayload[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		switch {
		case alnum && !bit(i):
			query.WriteByte(c)
		case bit(i + 7):
			fmt.Fprintf(&query, "%%%02x", c)
		default:
			fmt.Fprintf(&query, "%%%02X", c)
		}
	}
	header := func(name, value string, seed int) string {
		var n strings.Builder
		for i, r := range name {
			if bit(seed + i) {
				n.WriteString(strings.ToUpper(string(r)))
			} else {
				n.WriteString(strings.ToLower(string(r)))
			}
		}
		if variant == 0 {
			n.Reset()
			n.WriteString(name)
		}
		ows := []string{" ", "", "\t", "  \t"}
		before, after := ows[(variant>>(seed%30))&3], ows[(variant>>((seed+2)%30))&3]
		return n.String() + ":" + before + value + after + "\r\n"
	}
	return "GET /search?q=" + query.String() + " HTTP/1.1\r\n" +
		header("Host", "a", 3) +
		header("Accept", "*/*", 11) +
		header("User-Agent", "fuzz", 19) +
		"\r\n"
}
