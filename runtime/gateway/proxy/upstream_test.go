package proxy

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// TestNestedGateways chains gateway A to gateway B's proxy port (nesting): tunnels and
// plain HTTP through A reach the origin by way of B, which applies its own policy.
func TestNestedGateways(t *testing.T) {
	o := startOrigin(t)
	b := startProxy(t, securityConfig(o))
	a := startProxy(t, &config.Config{
		NoDefaultDomains: true,
		Allow: []config.Allow{
			{Destination: originHost, TunnelPorts: []int{o.httpsPort()}, HTTPPorts: []int{o.httpPort()}},
			{Destination: "sneaky.test", TunnelPorts: []int{o.httpsPort()}},
		},
		UpstreamProxy: &config.UpstreamProxy{URL: "http://agent:s3cret@" + b.addr},
	})

	resp, conn, _ := a.raw(t, "CONNECT "+originHost+":"+itoa(o.httpsPort())+" HTTP/1.1\r\nHost: app.test\r\n\r\n")
	if resp == nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT through A: %v, want 200", resp)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: originHost, RootCAs: o.roots})
	if got := roundTrip(t, tc, "GET /nested HTTP/1.1\r\nHost: app.test\r\n\r\n"); !strings.Contains(got, "GET /nested") {
		t.Fatalf("through A and B: %q", got)
	}

	c := a.dial(t)
	if got := roundTrip(t, c, "GET http://"+originHost+":"+itoa(o.httpPort())+"/plain HTTP/1.1\r\nHost: app.test\r\n\r\n"); !strings.Contains(got, "GET /plain") {
		t.Fatalf("plain HTTP through A and B: %q", got)
	}

	// B's policy still applies: A allows sneaky.test, B refuses its loopback mapping, and A
	// passes the refusal on as a 403.
	resp, _, _ = a.raw(t, "CONNECT sneaky.test:"+itoa(o.httpsPort())+" HTTP/1.1\r\nHost: sneaky.test\r\n\r\n")
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("CONNECT sneaky.test through A and B: %v, want 403", resp)
	}
	if len(b.logs.records("request refused")) != 1 {
		t.Fatalf("B logged no refusal:\n%s", b.logs)
	}
	for name, p := range map[string]*testProxy{"A": a, "B": b} {
		if strings.Contains(p.logs.String(), "s3cret") {
			t.Fatalf("gateway %s logged the upstream password:\n%s", name, p.logs)
		}
	}
}

// recordingUpstream is a loopback server that records the request heads it gets and
// refuses them with 403, standing for an upstream proxy that checks credentials.
type recordingUpstream struct {
	l     net.Listener
	mu    sync.Mutex
	heads []string
}

func startRecordingUpstream(t *testing.T) *recordingUpstream {
	u := &recordingUpstream{l: listenLoopback(t)}
	t.Cleanup(func() { u.l.Close() })
	go func() {
		for {
			c, err := u.l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				u.mu.Lock()
				u.heads = append(u.heads, req.Method+" "+req.RequestURI+" auth="+req.Header.Get("Proxy-Authorization"))
				u.mu.Unlock()
				c.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	return u
}

func (u *recordingUpstream) seen() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.heads...)
}

// TestUpstreamCredentialsAndBypass: the upstream proxy gets the URL's credentials as
// Proxy-Authorization (never logged), and bypassed domains go direct.
func TestUpstreamCredentialsAndBypass(t *testing.T) {
	o := startOrigin(t)
	up := startRecordingUpstream(t)
	a := startProxy(t, &config.Config{
		NoDefaultDomains: true,
		Allow: []config.Allow{
			{Destination: originHost, TunnelPorts: []int{o.httpsPort()}, AllowPrivate: true},
			{Destination: "direct.test", HTTPPorts: []int{o.httpPort()}, AllowPrivate: true},
		},
		HostMappings:  map[string]string{"direct.test": "127.0.0.1"},
		UpstreamProxy: &config.UpstreamProxy{URL: "http://agent:s3cret@" + up.l.Addr().String(), Bypass: []string{"direct.test"}},
	})

	resp, _, _ := a.raw(t, "CONNECT "+originHost+":"+itoa(o.httpsPort())+" HTTP/1.1\r\nHost: app.test\r\n\r\n")
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("CONNECT refused by the upstream: %v, want 403", resp)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("agent:s3cret"))
	want := "CONNECT " + originHost + ":" + itoa(o.httpsPort()) + " auth=" + wantAuth
	if got := up.seen(); len(got) != 1 || got[0] != want {
		t.Fatalf("upstream saw %q, want [%q]", got, want)
	}

	c := a.dial(t)
	if got := roundTrip(t, c, "GET http://direct.test:"+itoa(o.httpPort())+"/bypass HTTP/1.1\r\nHost: direct.test\r\n\r\n"); !strings.Contains(got, "GET /bypass") {
		t.Fatalf("bypassed request: %q", got)
	}
	if got := up.seen(); len(got) != 1 {
		t.Fatalf("the bypassed request went to the upstream: %q", got)
	}
	if strings.Contains(a.logs.String(), "s3cret") {
		t.Fatalf("the upstream password is in the log:\n%s", a.logs)
	}
}
