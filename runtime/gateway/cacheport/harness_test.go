package cacheport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// originHost is the name intercepted tests CONNECT to; the test dialer sends every
// connection to the test origin on 127.0.0.1, like a static host mapping.
const originHost = "origin.test"

// testOrigin is a real HTTP(S) server on loopback that counts the requests it gets.
type testOrigin struct {
	*httptest.Server
	requests atomic.Int64
	caPEM    string // the CA its certificate chains to (TLS origins)
}

// startOrigin starts handler on 127.0.0.1, over TLS with a certificate for originHost
// signed by a test CA when tlsOn.
func startOrigin(t testing.TB, tlsOn bool, handler http.HandlerFunc) *testOrigin {
	t.Helper()
	o := &testOrigin{}
	o.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		handler(w, r)
	}))
	if tlsOn {
		caPEM, cert := issueServerCert(t, originHost)
		o.caPEM = caPEM
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		o.StartTLS()
	} else {
		o.Start()
	}
	t.Cleanup(o.Close)
	return o
}

// issueServerCert makes a throwaway CA and a server certificate for host signed by it.
func issueServerCert(t testing.TB, host string) (caPEM string, cert tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test origin CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// gateway is a cache port under test, listening on 127.0.0.1.
type gateway struct {
	*Server
	addr string
	ca   *x509.CertPool // trusts the gateway's interception CA
}

type gatewayOption func(*Options)

// startGateway starts a cache port whose dialer sends everything to origin.
func startGateway(t testing.TB, origin *testOrigin, cfg *config.Config, opts ...gatewayOption) *gateway {
	t.Helper()
	if cfg == nil {
		cfg = &config.Config{}
	}
	if origin != nil && origin.caPEM != "" {
		if cfg.CA == nil {
			cfg.CA = &config.CA{}
		}
		cfg.CA.OriginCABundle = origin.caPEM
	}
	o := Options{
		Config:      cfg,
		DataDir:     t.TempDir(),
		MemoryLimit: 2 << 30,
		Check: func(host string, port int) error {
			if host == "denied.test" {
				return errors.New("not on the allowed list")
			}
			return nil
		},
	}
	if origin != nil {
		target := origin.Listener.Addr().String()
		o.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, target)
		}
	}
	for _, opt := range opts {
		opt(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		<-done
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CACertificatePEM())
	return &gateway{Server: s, addr: ln.Addr().String(), ca: pool}
}

// client returns an HTTP client using the gateway as its proxy and trusting its CA.
func (g *gateway) client(t testing.TB) *http.Client {
	t.Helper()
	proxyURL, _ := url.Parse("http://" + g.addr)
	tr := &http.Transport{
		Proxy:               http.ProxyURL(proxyURL),
		TLSClientConfig:     &tls.Config{RootCAs: g.ca},
		DisableCompression:  true,
		MaxIdleConnsPerHost: 16,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// get fetches rawURL through c with the headers given as "Name: value" pairs.
func get(t testing.TB, c *http.Client, rawURL string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", rawURL, err)
	}
	return resp, body
}

// pattern is deterministic content of n bytes whose every offset is checkable.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}
