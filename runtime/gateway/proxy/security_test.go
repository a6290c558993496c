package proxy

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// securityConfig allows app.test (mapped to the origin on 127.0.0.1, loopback allowed
// for that entry) and sneaky.test (mapped to 127.0.0.1 too, loopback NOT allowed).
func securityConfig(o *origin) *config.Config {
	return &config.Config{
		NoDefaultDomains: true,
		RequireSNIMatch:  true,
		Allow: []config.Allow{
			{Destination: originHost, TunnelPorts: []int{o.httpsPort()}, HTTPPorts: []int{o.httpPort()}, AllowPrivate: true},
			{Destination: "sneaky.test", TunnelPorts: []int{o.httpsPort()}, HTTPPorts: []int{o.httpPort()}},
			{Destination: ".example.com", TunnelPorts: []int{443}},
		},
		HostMappings: map[string]string{originHost: "127.0.0.1", "sneaky.test": "127.0.0.1"},
	}
}

// TestSecurityRefusals sends each attack of the issue as a raw request over a real
// socket and checks it is refused with 403 and logged with client, host and reason, and
// that the origin never saw it.
func TestSecurityRefusals(t *testing.T) {
	o := startOrigin(t)
	p := startProxy(t, securityConfig(o))
	httpPort, httpsPort := itoa(o.httpPort()), itoa(o.httpsPort())

	tests := []struct {
		name, request string
		wantHost      string // in the log line; "" when the head is refused before a host is known
		wantReason    string
	}{
		{"domain not on the list", "CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n",
			"evil.test", "not on the allowed list"},
		{"subdomain of an exact entry", "GET http://www.app.test:" + httpPort + "/ HTTP/1.1\r\nHost: www.app.test\r\n\r\n",
			"www.app.test", "not on the allowed list"},
		{"allowed domain on a port not on its list", "CONNECT " + originHost + ":8443 HTTP/1.1\r\nHost: app.test:8443\r\n\r\n",
			originHost, "port 8443 is not allowed"},
		{"tunnel to a plain-HTTP port", "CONNECT " + originHost + ":" + httpPort + " HTTP/1.1\r\nHost: x\r\n\r\n",
			originHost, "not allowed for tunnels"},
		{"IP literal", "CONNECT 93.184.216.34:443 HTTP/1.1\r\nHost: 93.184.216.34:443\r\n\r\n",
			"93.184.216.34", "IP address destinations are not allowed"},
		{"loopback IP literal", "GET http://127.0.0.1:" + httpPort + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
			"127.0.0.1", "loopback"},
		{"metadata address", "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n",
			"169.254.169.254", "link-local or metadata"},
		{"IPv6 metadata address", "CONNECT [fd00:ec2::254]:443 HTTP/1.1\r\nHost: x\r\n\r\n",
			"fd00:ec2::254", "link-local or metadata"},
		{"decimal IP", "CONNECT 2130706433:443 HTTP/1.1\r\nHost: x\r\n\r\n",
			"2130706433", "non-standard form"},
		{"host mapped to loopback without allow_private", "CONNECT sneaky.test:" + httpsPort + " HTTP/1.1\r\nHost: sneaky.test\r\n\r\n",
			"sneaky.test", "resolves to 127.0.0.1, a loopback address"},
		{"plain HTTP to a host mapped to loopback", "GET http://sneaky.test:" + httpPort + "/ HTTP/1.1\r\nHost: sneaky.test\r\n\r\n",
			"sneaky.test", "loopback"},
		{"TRACE", "TRACE http://" + originHost + ":" + httpPort + "/ HTTP/1.1\r\nHost: app.test\r\n\r\n",
			"", "TRACE is not allowed"},
		{"smuggling: Content-Length with Transfer-Encoding",
			"POST http://" + originHost + ":" + httpPort + "/ HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET http://app.test:" + httpPort + "/smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n",
			"", "Content-Length with Transfer-Encoding"},
		{"smuggling: duplicate Content-Length",
			"POST http://" + originHost + ":" + httpPort + "/ HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
			"", "duplicate Content-Length"},
		{"smuggling: obs-fold",
			"POST http://" + originHost + ":" + httpPort + "/ HTTP/1.1\r\nHost: app.test\r\nX-Note: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx",
			"", "obsolete header line folding"},
		{"smuggling: chunked, obfuscated",
			"POST http://" + originHost + ":" + httpPort + "/ HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: xchunked\r\n\r\n",
			"", "unsupported Transfer-Encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := o.requests.Load()
			refusalsBefore := len(p.logs.records("request refused"))
			resp, _, _ := p.raw(t, tt.request)
			if resp == nil {
				t.Fatal("connection closed without an answer, want 403")
			}
			text := body(t, resp)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d %q, want 403", resp.StatusCode, text)
			}
			if !strings.Contains(text, tt.wantReason) {
				t.Errorf("answer %q does not give the reason %q", text, tt.wantReason)
			}
			if got := o.requests.Load() - before; got != 0 {
				t.Errorf("the origin received %d requests, want none", got)
			}
			recs := p.logs.records("request refused")
			if len(recs) != refusalsBefore+1 {
				t.Fatalf("%d refusals logged, want %d; log:\n%s", len(recs), refusalsBefore+1, p.logs)
			}
			rec := recs[len(recs)-1]
			if rec["client"] != "127.0.0.1" || !strings.Contains(rec["reason"].(string), tt.wantReason) {
				t.Errorf("log record %v lacks client 127.0.0.1 or reason %q", rec, tt.wantReason)
			}
			if tt.wantHost != "" && rec["host"] != tt.wantHost {
				t.Errorf("log record host %v, want %q", rec["host"], tt.wantHost)
			}
		})
	}
}

// TestSNIMismatchClosesTheTunnel: with require_sni_match, a CONNECT to an allowed host
// followed by a ClientHello naming another host (domain fronting) is closed and logged;
// the origin never gets the request.
func TestSNIMismatchClosesTheTunnel(t *testing.T) {
	o := startOrigin(t)
	p := startProxy(t, securityConfig(o))
	resp, conn, br := p.raw(t, "CONNECT "+originHost+":"+itoa(o.httpsPort())+" HTTP/1.1\r\nHost: app.test\r\n\r\n")
	if resp == nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT answer %v, want 200", resp)
	}
	if br.Buffered() != 0 {
		t.Fatal("bytes after the CONNECT answer")
	}
	tc := tls.Client(conn, &tls.Config{ServerName: "fronted.example.com", RootCAs: o.roots})
	if err := tc.Handshake(); err == nil {
		t.Fatal("TLS handshake with a different SNI succeeded; want the tunnel closed")
	}
	recs := p.logs.records("request refused")
	if len(recs) != 1 || recs[0]["host"] != originHost || !strings.Contains(recs[0]["reason"].(string), `"fronted.example.com" does not match`) {
		t.Fatalf("refusal log %v, want one naming host %s and the SNI", recs, originHost)
	}
	if o.requests.Load() != 0 {
		t.Fatal("the origin received a request")
	}
}

// TestAllowedRequestsPass: the positive cases: a tunnel with the matching SNI and a
// request through it, plain HTTP with keep-alive, a chunked POST body.
func TestAllowedRequestsPass(t *testing.T) {
	o := startOrigin(t)
	p := startProxy(t, securityConfig(o))

	t.Run("CONNECT with matching SNI", func(t *testing.T) {
		resp, conn, _ := p.raw(t, "CONNECT "+originHost+":"+itoa(o.httpsPort())+" HTTP/1.1\r\nHost: app.test\r\n\r\n")
		if resp == nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT answer %v, want 200", resp)
		}
		tc := tls.Client(conn, &tls.Config{ServerName: originHost, RootCAs: o.roots})
		got := roundTrip(t, tc, "GET /through-tunnel HTTP/1.1\r\nHost: app.test\r\n\r\n")
		if !strings.Contains(got, "hello from the origin: GET /through-tunnel") {
			t.Fatalf("through the tunnel: %q", got)
		}
	})

	t.Run("plain HTTP with keep-alive", func(t *testing.T) {
		c := p.dial(t)
		for i, path := range []string{"/one", "/two"} {
			got := roundTrip(t, c, "GET http://"+originHost+":"+itoa(o.httpPort())+path+" HTTP/1.1\r\nHost: app.test\r\nProxy-Authorization: Basic c2VjcmV0\r\n\r\n")
			if !strings.Contains(got, "hello from the origin: GET "+path) {
				t.Fatalf("request %d: %q", i, got)
			}
		}
	})

	t.Run("chunked POST", func(t *testing.T) {
		c := p.dial(t)
		got := roundTrip(t, c, "POST http://"+originHost+":"+itoa(o.httpPort())+"/upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
		if !strings.Contains(got, "hello from the origin: POST /upload") || o.lastBody.Load() != "hello" {
			t.Fatalf("answer %q, origin body %q", got, o.lastBody.Load())
		}
	})

	if d := p.stats.Domain(originHost); d.Requests.Load() < 4 || d.BytesIn.Load() == 0 {
		t.Errorf("domain statistics of %s: %d requests, %d bytes in", originHost, d.Requests.Load(), d.BytesIn.Load())
	}
	if got := p.stats.Clients.Count(); got != 1 {
		t.Errorf("unique client IPs = %d, want 1", got)
	}
}

// roundTrip writes a request on c and reads one response, returning its body.
func roundTrip(t *testing.T, c io.ReadWriter, request string) string {
	t.Helper()
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufioReader(c), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return body(t, resp)
}
