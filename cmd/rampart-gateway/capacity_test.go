package main_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// capacityClients is the number of concurrent clients the gateway must hold (issue 5).
const capacityClients = 3000

// TestThreeThousandTunnels runs the real binary and opens capacityClients connections,
// each CONNECT + TLS (SNI checked) + one request, all kept open; at the end every one
// makes a second request. It reports the gateway's peak RSS and open descriptors.
func TestThreeThousandTunnels(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 3,000 connections; not in -short")
	}
	// This process holds both ends of every tunnel: 2 descriptors per client.
	raiseOpenFileLimit(t, 2*capacityClients+512)

	cert, roots := selfSigned(t, "app.test")
	originListener := listenLoopback(t)
	origin := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok "+r.URL.Path)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	go origin.ServeTLS(originListener, "", "")
	t.Cleanup(func() { origin.Close() })
	originPort := originListener.Addr().(*net.TCPAddr).Port

	g := startGateway(t, map[string]any{
		"no_default_domains": true,
		"require_sni_match":  true,
		"allow":              []any{map[string]any{"destination": "app.test", "tunnel_ports": []int{originPort}, "allow_private": true}},
		"host_mappings":      map[string]string{"app.test": "127.0.0.1"},
	})
	pid := g.cmd.Process.Pid

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	conns := make([]*tunnelClient, capacityClients)
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.conn.Close()
			}
		}
	})
	started := time.Now()
	var opened atomic.Int64
	group, gctx := errgroup.WithContext(ctx)
	group.SetLimit(64)
	for i := range conns {
		group.Go(func() error {
			c, err := openTunnel(gctx, g.proxy, originPort, roots)
			if err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			conns[i] = c
			opened.Add(1)
			return c.get("/first")
		})
	}
	if err := group.Wait(); err != nil {
		t.Fatalf("after %d of %d tunnels: %v\ngateway log tail:\n%s", opened.Load(), capacityClients, err, tail(g.logs.String(), 2000))
	}
	openTime := time.Since(started)
	fds := countFDs(t, pid)
	if st := g.status(t); st.Details.Tunnels != capacityClients {
		t.Errorf("/status reports %d tunnels, want %d", st.Details.Tunnels, capacityClients)
	}

	// Every connection still works.
	group, _ = errgroup.WithContext(ctx)
	group.SetLimit(64)
	for i, c := range conns {
		group.Go(func() error {
			if err := c.get("/second"); err != nil {
				return fmt.Errorf("client %d second request: %w", i, err)
			}
			return nil
		})
	}
	if err := group.Wait(); err != nil {
		t.Fatal(err)
	}
	rss := peakRSS(t, pid)
	t.Logf("%d tunnels opened in %v; gateway peak RSS %.1f MiB, open descriptors %d (%.1f KiB RSS per client)",
		capacityClients, openTime.Round(time.Millisecond), float64(rss)/(1<<20), fds, float64(rss)/1024/capacityClients)
	if fds < 2*capacityClients {
		t.Errorf("gateway has %d descriptors open, want at least %d (client + destination per tunnel)", fds, 2*capacityClients)
	}
	if path := os.Getenv("RAMPART_CAPACITY_REPORT"); path != "" {
		os.WriteFile(path, []byte(fmt.Sprintf("peak_rss_bytes %d\nopen_fds %d\n", rss, fds)), 0o644)
	}
}

// tunnelClient is one client holding a TLS connection through the gateway.
type tunnelClient struct {
	conn *tls.Conn
	br   *bufio.Reader
}

func openTunnel(ctx context.Context, proxy string, port int, roots *x509.CertPool) (*tunnelClient, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", proxy)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		raw.SetDeadline(deadline)
	}
	target := "app.test:" + strconv.Itoa(port)
	fmt.Fprintf(raw, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	br := bufio.NewReader(raw)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("CONNECT: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		raw.Close()
		return nil, fmt.Errorf("CONNECT: %s", resp.Status)
	}
	tc := tls.Client(raw, &tls.Config{ServerName: "app.test", RootCAs: roots})
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS: %w", err)
	}
	return &tunnelClient{conn: tc, br: bufio.NewReader(tc)}, nil
}

func (c *tunnelClient) get(path string) error {
	if _, err := fmt.Fprintf(c.conn, "GET %s HTTP/1.1\r\nHost: app.test\r\n\r\n", path); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if string(body) != "ok "+path {
		return fmt.Errorf("answer %q", body)
	}
	return nil
}

func raiseOpenFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < need {
		t.Fatalf("the open-file hard limit is %d; this test needs %d: raise it (ulimit -Hn, or run as root)", lim.Cur, need)
	}
}

func countFDs(t *testing.T, pid int) int {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// peakRSS is VmHWM, the process's peak resident set size, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/pid/status")
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

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
