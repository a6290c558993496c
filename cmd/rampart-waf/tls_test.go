package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig/tlstest"
)

// TestBinaryTLS starts the real binary with two sites whose private keys are encrypted
// (PKCS#8 PBES2 with the passphrase in the config, legacy DEK-Info with the passphrase in
// WAF_SSL_PASSPHRASE), checks SNI and HTTP/2, and that a wrong passphrase stops start-up
// (and -check) with an error naming the site and never showing the passphrase.
func TestBinaryTLS(t *testing.T) {
	bin := buildBinary(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Host) }))
	t.Cleanup(backend.Close)

	const shopPass, blogPass = "shop-secret-1", "blog-secret-2"
	shop, blog := tlstest.NewPair(t, "shop.example.com"), tlstest.NewRSAPair(t, "blog.example.com")
	shopKey := tlstest.EncryptPKCS8(t, shop.KeyPEM, shopPass, "aes-256-cbc", "hmacWithSHA256")
	blogKey := tlstest.EncryptLegacy(t, blog.KeyPEM, blogPass, "rsa", "-aes256")

	dir := shortTempDir(t)
	port := freePort(t)
	writeTLSConfig := func(path, shopPassphrase string) {
		cfg := map[string]any{
			"listen":      map[string]any{"address": "127.0.0.1", "https": port},
			"server_pool": []any{map[string]any{"name": "app", "member": []any{map[string]any{"address": strings.TrimPrefix(backend.URL, "http://")}}}},
			"site": []any{
				map[string]any{"name": "shop", "hostnames": []string{"shop.example.com"}, "pool": "app",
					"tls": map[string]any{"certificate": shop.CertPEM, "private_key": shopKey, "passphrase": shopPassphrase}},
				map[string]any{"name": "blog", "hostnames": []string{"blog.example.com"}, "pool": "app",
					"tls": map[string]any{"certificate": blog.CertPEM, "private_key": blogKey}},
			},
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	good, wrong := filepath.Join(dir, "good.json"), filepath.Join(dir, "wrong.json")
	writeTLSConfig(good, shopPass)
	writeTLSConfig(wrong, "not-the-passphrase")
	env := []string{"WAF_SSL_PASSPHRASE=" + blogPass}

	t.Run("wrong passphrase stops start-up", func(t *testing.T) {
		const want = `site "shop": tls.private_key: wrong passphrase`
		p := startProcess(t, bin, append(env, "WAF_ADMIN_LISTEN=unix:"+filepath.Join(dir, "a.sock")), "-config", wrong)
		if err := p.waitExit(t); err == nil || !strings.Contains(p.stderr.String(), want) {
			t.Errorf("exit %v, stderr:\n%s\nwant a failure saying %s", err, p.stderr, want)
		}
		out, err := exec.Command(bin, "-check", "-config", wrong).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("-check: %v %s", err, out)
		}
		for _, secret := range []string{shopPass, blogPass, "not-the-passphrase"} {
			if strings.Contains(p.stderr.String()+string(out), secret) {
				t.Errorf("a passphrase appears in the output")
			}
		}
	})
	t.Run("missing WAF_SSL_PASSPHRASE", func(t *testing.T) {
		out, err := exec.Command(bin, "-check", "-config", good).CombinedOutput()
		if err == nil || !strings.Contains(string(out), `site "blog": tls.private_key: the key is encrypted and no passphrase is set`) {
			t.Errorf("-check without WAF_SSL_PASSPHRASE: %v %s", err, out)
		}
	})

	socket := filepath.Join(dir, "admin.sock")
	p := startProcess(t, bin, append(env, "WAF_ADMIN_LISTEN=unix:"+socket), "-config", good)
	adminClient := unixClient(socket)
	poll(t, p, "/healthz to answer 200", func() bool {
		code, _, err := get(adminClient, "http://admin/healthz")
		return err == nil && code == http.StatusOK
	})
	roots := x509.NewCertPool()
	roots.AddCert(shop.Cert)
	roots.AddCert(blog.Cert)
	// The URL's host is the SNI; every connection goes to the WAF on loopback.
	address := fmt.Sprintf("127.0.0.1:%d", port)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		Proxy:             nil,
		ForceAttemptHTTP2: true,
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, address)
		},
	}}
	for _, site := range []string{"shop", "blog"} {
		resp, err := client.Get(fmt.Sprintf("https://%s.example.com:%d/", site, port))
		if err != nil {
			t.Fatalf("%s: %v", site, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Proto != "HTTP/2.0" || resp.TLS.PeerCertificates[0].Subject.CommonName != site+".example.com" || !strings.HasPrefix(string(body), site+".example.com") {
			t.Errorf("%s: %s, certificate %q, body %q", site, resp.Proto, resp.TLS.PeerCertificates[0].Subject.CommonName, body)
		}
	}
}
