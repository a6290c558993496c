package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/stats"
)

// origin is a real HTTP and HTTPS server on 127.0.0.1 that counts its requests; its
// certificate names originHost.
type origin struct {
	http, https *httptest.Server
	requests    atomic.Int64
	lastBody    atomic.Value // string
	roots       *x509.CertPool
}

const originHost = "app.test"

func startOrigin(t *testing.T) *origin {
	t.Helper()
	o := &origin{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		o.lastBody.Store(string(body))
		w.Header().Set("X-Origin-Host", r.Host)
		fmt.Fprintf(w, "hello from the origin: %s %s", r.Method, r.URL.Path)
	})
	// Ports from freeport: a random ephemeral port could be one the gateway reserves.
	o.http = httptest.NewUnstartedServer(handler)
	o.http.Listener.Close()
	o.http.Listener = listenLoopback(t)
	o.http.Start()
	t.Cleanup(o.http.Close)
	cert, roots := selfSigned(t, originHost)
	o.roots = roots
	o.https = httptest.NewUnstartedServer(handler)
	o.https.Listener.Close()
	o.https.Listener = listenLoopback(t)
	o.https.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	o.https.StartTLS()
	t.Cleanup(o.https.Close)
	return o
}

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(freeport.Port(t)))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (o *origin) httpPort() int  { return o.http.Listener.Addr().(*net.TCPAddr).Port }
func (o *origin) httpsPort() int { return o.https.Listener.Addr().(*net.TCPAddr).Port }

// selfSigned makes a certificate for host and a pool that trusts it.
func selfSigned(t testing.TB, host string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// logBuffer collects the JSON log lines of a proxy.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records are the log lines with the given msg, decoded.
func (b *logBuffer) records(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(b.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// testProxy is a proxy port serving on 127.0.0.1.
type testProxy struct {
	addr  string
	logs  *logBuffer
	stats *stats.Stats
}

// startProxy serves cfg (defaults applied and validated) on a loopback listener.
func startProxy(t testing.TB, cfg *config.Config) *testProxy {
	t.Helper()
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test configuration is invalid: %v", err)
	}
	rules, err := NewRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	st := stats.New()
	srv := New(Options{
		Rules:  func() *Rules { return rules },
		Stats:  st,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		rules.Close()
	})
	return &testProxy{addr: l.Addr().String(), logs: logs, stats: st}
}

// dial connects to the proxy with a deadline that bounds the whole exchange.
func (p *testProxy) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// raw sends a raw request on a new connection and returns the response (nil when the
// proxy closed the connection without one).
func (p *testProxy) raw(t testing.TB, request string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	c := p.dial(t)
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	method, _, _ := strings.Cut(request, " ")
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return nil, c, br
	}
	return resp, c, br
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

// readers of roundTrip, one per connection so keep-alive responses are read in order.
var (
	connReadersMu sync.Mutex
	connReaders   = map[io.ReadWriter]*bufio.Reader{}
)

func bufioReader(c io.ReadWriter) *bufio.Reader {
	connReadersMu.Lock()
	defer connReadersMu.Unlock()
	br, ok := connReaders[c]
	if !ok {
		br = bufio.NewReader(c)
		connReaders[c] = br
	}
	return br
}
