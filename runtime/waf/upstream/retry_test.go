package upstream

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// rawServer accepts connections on 127.0.0.1, reads one request and lets answer do what
// it wants with the connection (then closes it).
func rawServer(t *testing.T, answer func(c *net.TCPConn)) string {
	return rawRequestServer(t, func(c *net.TCPConn, _ *http.Request) { answer(c) })
}

func rawRequestServer(t *testing.T, answer func(c *net.TCPConn, r *http.Request)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				answer(c.(*net.TCPConn), r)
			}()
		}
	}()
	return l.Addr().String()
}

func TestRetryOnAnotherMember(t *testing.T) {
	live := startBackend(t, "live")
	reset := rawServer(t, func(c *net.TCPConn) {
		c.SetLinger(0) // close with RST, before any response byte
	})
	tests := []struct {
		name    string
		failing string
	}{
		{"connection refused", deadAddress(t)},
		{"reset before a response", reset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, config.Pool{Name: "p", Members: members(tt.failing, live.address())})
			front := startFront(t, p)
			client := &http.Client{}
			for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodDelete} {
				for i := range 4 { // round robin: half start on the failing member
					if got := send(t, client, method, front, nil); got.status != http.StatusOK {
						t.Fatalf("%s #%d: status %d %q, want 200 from the live member", method, i, got.status, got.body)
					}
				}
			}
			failing := p.Members()[0]
			if failing.Failures() == 0 || failing.Failures() != failing.Requests() {
				t.Errorf("failing member: %d failures of %d requests, want every attempt counted as failed", failing.Failures(), failing.Requests())
			}
		})
	}
}

func TestNoRetry(t *testing.T) {
	partial := rawServer(t, func(c *net.TCPConn) {
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Le")) // some response bytes, then close
	})
	tests := []struct {
		name    string
		failing func(t *testing.T) string
		retries int
		method  string
		body    string
	}{
		{"POST is not idempotent", deadAddress, 0, http.MethodPost, "a=1"},
		{"POST without a body is not idempotent", deadAddress, 0, http.MethodPost, ""},
		{"PUT with a body", deadAddress, 0, http.MethodPut, "a=1"},
		{"retries disabled", deadAddress, -1, http.MethodGet, ""},
		{"the member sent response bytes", func(*testing.T) string { return partial }, 0, http.MethodGet, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := startBackend(t, "live")
			p := newTestPool(t, config.Pool{Name: "p", Retries: tt.retries, Members: members(tt.failing(t), live.address())})
			front := startFront(t, p)
			client := &http.Client{}
			statuses := map[int]int{}
			for range 4 { // round robin: 2 start on the failing member, 2 on the live one
				statuses[send(t, client, tt.method, front, strings.NewReader(tt.body)).status]++
			}
			if statuses[http.StatusBadGateway] != 2 || statuses[http.StatusOK] != 2 {
				t.Errorf("statuses %v, want 2 × 502 (not retried) and 2 × 200", statuses)
			}
			if got := live.served.Load(); got != 2 {
				t.Errorf("the live member served %d requests, want 2 (no retry reached it)", got)
			}
		})
	}
}

func TestRetryNeverTriesAMemberTwice(t *testing.T) {
	dead1, dead2, live := deadAddress(t), deadAddress(t), startBackend(t, "live")
	for _, tt := range []struct {
		retries int
		want502 bool
	}{{1, true}, {2, false}} {
		p := newTestPool(t, config.Pool{Name: "p", Retries: tt.retries, Members: members(dead1, dead2, live.address())})
		front := startFront(t, p)
		got502 := false
		for range 6 {
			status := send(t, &http.Client{}, http.MethodGet, front, nil).status
			got502 = got502 || status == http.StatusBadGateway
		}
		if got502 != tt.want502 {
			t.Errorf("retries=%d: some request answered 502 = %v, want %v", tt.retries, got502, tt.want502)
		}
		for _, m := range p.Members()[:2] {
			if m.Requests() > 6 {
				t.Errorf("retries=%d: dead member tried %d times for 6 requests", tt.retries, m.Requests())
			}
		}
	}
}
