package waf_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf"
	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig/tlstest"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// startTLSWAF starts a WAF with both an HTTP and an HTTPS listener on 127.0.0.1.
func startTLSWAF(t *testing.T, cfg config.Config) (*waf.Server, string) {
	t.Helper()
	if cfg.Listen.HTTPS == 0 {
		cfg.Listen.HTTPS = 1 // placeholder: the listener is handed in
	}
	path := filepath.Join(t.TempDir(), "waf.json")
	writeConfig(t, path, cfg)
	srv, err := waf.New(waf.Options{
		ConfigPath:    path,
		AdminListen:   "127.0.0.1:0",
		HTTPListener:  listen(t),
		HTTPSListener: listen(t),
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("waf.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, path
}

// httpsClient trusts pairs and sends every request to address, whatever the URL's host.
func httpsClient(address string, protos []string, pairs ...tlstest.Pair) *http.Client {
	roots := x509.NewCertPool()
	for _, p := range pairs {
		roots.AddCert(p.Cert)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:             nil,
		ForceAttemptHTTP2: protos == nil, // a custom TLS config turns HTTP/2 off otherwise
		TLSClientConfig:   &tls.Config{RootCAs: roots, NextProtos: protos},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, address)
		},
	}}
}

func twoSiteTLSConfig(shop, blog tlstest.Pair, shopPool, blogPool string) config.Config {
	return config.Config{
		Pools: []config.Pool{{Name: "shop", Members: []config.Member{{Address: shopPool}}}, {Name: "blog", Members: []config.Member{{Address: blogPool}}}},
		Sites: []config.Site{
			{Name: "shop", Hostnames: []string{"shop.example.com"}, Pool: "shop", Policy: &config.Policy{Mode: "block"}, TLS: &config.TLS{Certificate: shop.CertPEM, PrivateKey: shop.KeyPEM}},
			{Name: "blog", Hostnames: []string{"blog.example.com"}, Pool: "blog", Policy: &config.Policy{Mode: "block"}, TLS: &config.TLS{Certificate: blog.CertPEM, PrivateKey: blog.KeyPEM}},
		},
	}
}

func TestHTTPSSelectsCertificateBySNIAndSpeaksHTTP2(t *testing.T) {
	shopBackend, blogBackend := startBackend(t, "shop"), startBackend(t, "blog")
	shop, blog := tlstest.NewPair(t, "shop.example.com"), tlstest.NewPair(t, "blog.example.com")
	srv, path := startTLSWAF(t, twoSiteTLSConfig(shop, blog, shopBackend.address(), blogBackend.address()))
	address := srv.HTTPSAddr().String()

	h2 := httpsClient(address, nil, shop, blog)
	for _, site := range []string{"shop", "blog"} {
		resp, err := h2.Get("https://" + site + ".example.com/")
		if err != nil {
			t.Fatalf("%s: %v", site, err) // also fails when the certificate is the other site's
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Proto != "HTTP/2.0" || string(body) != site || resp.TLS.PeerCertificates[0].Subject.CommonName != site+".example.com" {
			t.Errorf("%s: %s %q from certificate %q", site, resp.Proto, body, resp.TLS.PeerCertificates[0].Subject.CommonName)
		}
	}
	resp, err := h2.Get("https://shop.example.com/?q=%3Cscript%3Ealert(1)%3C/script%3E")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("attack over HTTP/2: %d, want 403", resp.StatusCode)
	}

	h1 := httpsClient(address, []string{"http/1.1"}, shop, blog)
	resp, err = h1.Get("https://blog.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Proto != "HTTP/1.1" || resp.StatusCode != http.StatusOK {
		t.Errorf("HTTP/1.1 over TLS: %s %d", resp.Proto, resp.StatusCode)
	}

	// HTTP/1.1 over TLS passes the connection guard too.
	conn, err := tls.Dial("tcp", address, &tls.Config{ServerName: "shop.example.com", RootCAs: h1.Transport.(*http.Transport).TLSClientConfig.RootCAs, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: shop.example.com\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	smuggled, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || smuggled.StatusCode != http.StatusBadRequest {
		t.Errorf("CL+TE over TLS: %v %v, want 400", smuggled, err)
	}

	// A reload swaps the certificate for new handshakes.
	renewed := tlstest.NewPair(t, "shop.example.com")
	writeConfig(t, path, func() config.Config {
		c := twoSiteTLSConfig(renewed, blog, shopBackend.address(), blogBackend.address())
		c.Listen.HTTPS = 1
		return c
	}())
	if err := srv.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	fresh := httpsClient(address, nil, renewed)
	resp, err = fresh.Get("https://shop.example.com/")
	if err != nil {
		t.Fatalf("after reload: %v", err)
	}
	resp.Body.Close()
	if !resp.TLS.PeerCertificates[0].Equal(renewed.Cert) {
		t.Error("after reload the old certificate is still served")
	}
}

func TestTLSMinimumVersion(t *testing.T) {
	b := startBackend(t, "b")
	pair := tlstest.NewPair(t, "modern.example.com")
	cfg := simpleConfig("block", b.address())
	cfg.TLS = &config.TLS{Certificate: pair.CertPEM, PrivateKey: pair.KeyPEM, MinVersion: "1.3"}
	srv, _ := startTLSWAF(t, cfg)
	roots := x509.NewCertPool()
	roots.AddCert(pair.Cert)
	_, err := tls.Dial("tcp", srv.HTTPSAddr().String(), &tls.Config{ServerName: "modern.example.com", RootCAs: roots, MaxVersion: tls.VersionTLS12})
	if err == nil {
		t.Fatal("a TLS 1.2 client was accepted with min_version 1.3")
	}
	conn, err := tls.Dial("tcp", srv.HTTPSAddr().String(), &tls.Config{ServerName: "modern.example.com", RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS 1.3 client: %v", err)
	}
	conn.Close()
}

func TestRedirectHTTPToHTTPS(t *testing.T) {
	b := startBackend(t, "b")
	pair := tlstest.NewPair(t, "shop.example.com")
	noFollow := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		httpsPort int
		host      string
		target    string
		want      string
	}{
		{8443, "shop.example.com", "/a/b?x=1&y=%3C", "https://shop.example.com:8443/a/b?x=1&y=%3C"},
		{8443, "shop.example.com:8080", "/", "https://shop.example.com:8443/"},
		{443, "Shop.Example.com:80", "/p%20q", "https://Shop.Example.com/p%20q"},
		{443, "[::1]:80", "/", "https://[::1]/"},
	}
	for _, tt := range tests {
		cfg := simpleConfig("block", b.address())
		cfg.TLS = &config.TLS{Certificate: pair.CertPEM, PrivateKey: pair.KeyPEM}
		cfg.Listen = config.Listen{HTTP: 1, HTTPS: tt.httpsPort, RedirectHTTP: true}
		srv, _ := startTLSWAF(t, cfg)
		req, _ := http.NewRequest(http.MethodPost, "http://"+srv.HTTPAddr().String()+tt.target, strings.NewReader("body"))
		req.Host = tt.host
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != tt.want {
			t.Errorf("Host %s %s: %d Location %q, want 308 %q", tt.host, tt.target, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
	if n := len(b.requests()); n != 0 {
		t.Errorf("the upstream received %d redirected requests", n)
	}
}
