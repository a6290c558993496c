package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/servicelab"
)

// goTLSServer runs Go's own TLS server on loopback: a second, independent implementation
// that checks our hand-built ClientHello is well formed.
func goTLSServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	files := servicelab.SelfSignedCert(t, t.TempDir(), 48*time.Hour)
	pair, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Certificates = []tls.Certificate{pair}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestProbeGoServer(t *testing.T) {
	addr := goTLSServer(t, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
	})
	info, err := Probe(context.Background(), addr, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Versions, []string{"TLS1.2", "TLS1.3"}) {
		t.Fatalf("versions %v", info.Versions)
	}
	got12 := slices.Sorted(slices.Values(info.CipherSuites["TLS1.2"]))
	want12 := []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}
	if !slices.Equal(got12, want12) {
		t.Fatalf("TLS1.2 suites %v, want %v", got12, want12)
	}
	if len(info.CipherSuites["TLS1.3"]) != 3 { // Go implements the three mandatory-to-offer ones
		t.Fatalf("TLS1.3 suites %v", info.CipherSuites["TLS1.3"])
	}
	c := info.Certificate
	if c == nil || !c.SelfSigned || c.KeyType != "RSA" || c.KeyBits != 2048 || !slices.Contains(c.SANs, "lab.test") {
		t.Fatalf("certificate %+v", c)
	}
}

// A TLS 1.3-only server hides its certificate in the encrypted flight; Probe must still get it.
func TestProbeTLS13Only(t *testing.T) {
	addr := goTLSServer(t, &tls.Config{MinVersion: tls.VersionTLS13})
	info, err := Probe(context.Background(), addr, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Versions, []string{"TLS1.3"}) || info.Certificate == nil {
		t.Fatalf("got %+v", info)
	}
}

func TestProbeNotTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2p1\r\n"))
			c.Close()
		}
	}()
	if _, err := Probe(context.Background(), ln.Addr().String(), Options{Timeout: 2 * time.Second}); err == nil {
		t.Fatal("an SSH server was taken for TLS")
	}
}

// serverHello builds a ServerHello record (optionally with supported_versions) like a server.
func serverHello(legacy uint16, suite uint16, supportedVersion uint16, random []byte) []byte {
	body := []byte{byte(legacy >> 8), byte(legacy)}
	if random == nil {
		random = make([]byte, 32)
	}
	body = append(body, random...)
	body = append(body, 0)                              // empty session id
	body = append(body, byte(suite>>8), byte(suite), 0) // suite, null compression
	if supportedVersion != 0 {
		body = append(body, 0, 6, 0x00, 0x2b, 0, 2, byte(supportedVersion>>8), byte(supportedVersion))
	}
	hs := append([]byte{handshakeServerHello, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{recordHandshake, 3, byte(legacy & 0xff), byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

var serverHelloDone = []byte{recordHandshake, 3, 0, 0, 4, handshakeServerHelloDone, 0, 0, 0}

func TestParseFlight(t *testing.T) {
	tests := []struct {
		name        string
		data        []byte
		version     uint16
		suite       uint16
		retry, done bool
		alert       bool
		err         bool
	}{
		{"sslv3", append(serverHello(VersionSSL30, 0x0005, 0, nil), serverHelloDone...), VersionSSL30, 0x0005, false, true, false, false},
		{"tls1.0 split before done", serverHello(VersionTLS10, 0x000a, 0, nil), VersionTLS10, 0x000a, false, false, false, false},
		{"tls1.3", serverHello(VersionTLS12, 0x1301, VersionTLS13, nil), VersionTLS13, 0x1301, false, true, false, false},
		{"hello retry", serverHello(VersionTLS12, 0x1302, VersionTLS13, helloRetryRandom), VersionTLS13, 0x1302, true, true, false, false},
		{"alert", []byte{recordAlert, 3, 3, 0, 2, 2, 70}, 0, 0, false, true, true, false},
		{"http", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), 0, 0, false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFlight(tt.data)
			if (err != nil) != tt.err {
				t.Fatalf("err %v", err)
			}
			if tt.err {
				if !errors.Is(err, errNotTLS) {
					t.Fatalf("err %v, want errNotTLS", err)
				}
				return
			}
			if f.Done != tt.done || (f.Alert != nil) != tt.alert {
				t.Fatalf("done %v alert %v", f.Done, f.Alert)
			}
			if tt.alert {
				return
			}
			if f.Hello == nil || f.Hello.Version != tt.version || f.Hello.CipherSuite != tt.suite || f.Hello.HelloRetry != tt.retry {
				t.Fatalf("hello %+v", f.Hello)
			}
		})
	}
}

// Our ClientHello parses as a TLS record with the version and suites asked for.
func TestBuildClientHello(t *testing.T) {
	for _, v := range versionsProbed {
		hello := BuildClientHello(HelloSpec{Version: v, Suites: []uint16{0x0005, 0xc02f}, ServerName: "lab.test"})
		if !LooksLikeTLS(hello) || int(hello[3])<<8|int(hello[4]) != len(hello)-5 || hello[5] != handshakeClientHello {
			t.Fatalf("%s: malformed record % x", VersionName(v), hello[:10])
		}
	}
}

func BenchmarkParseFlight(b *testing.B) {
	flight := append(serverHello(VersionTLS12, 0xc02f, 0, nil), serverHelloDone...)
	b.ReportAllocs()
	for b.Loop() {
		if f, err := ParseFlight(flight); err != nil || !f.Done {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildClientHello(b *testing.B) {
	spec := HelloSpec{Version: VersionTLS12, Suites: AllLegacySuites(), ServerName: "lab.test"}
	b.ReportAllocs()
	for b.Loop() {
		BuildClientHello(spec)
	}
}
