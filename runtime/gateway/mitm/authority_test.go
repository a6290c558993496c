package mitm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// testCA is a certificate and key in PEM, signed by parent (self-signed when nil).
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM string
	keyPEM  string
}

func newTestCA(t testing.TB, name string, parent *testCA, isCA bool) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: isCA, BasicConstraintsValid: true}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	return &testCA{cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))}
}

// TestApplianceCA: generated on first start with a 0600 key, the same CA on the next start.
func TestApplianceCA(t *testing.T) {
	dir := t.TempDir()
	first, err := Load(&config.CA{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("CA key mode %o, want 600", perm)
	}
	second, err := Load(&config.CA{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Certificate.Equal(second.Certificate) {
		t.Error("second start generated a new CA; it must reuse the one in the data directory")
	}
	if _, err := Load(nil, ""); err == nil || !strings.Contains(err.Error(), "data directory") {
		t.Errorf("no data directory: error %v, want one naming the data directory", err)
	}
}

// TestCommonAndCustomCA: leaves minted by a common CA and by an intermediate of the
// customer's PKI verify against the root agents trust, with the chain sent.
func TestCommonAndCustomCA(t *testing.T) {
	root := newTestCA(t, "customer root", nil, true)
	inter := newTestCA(t, "customer intermediate", root, true)
	tests := []struct {
		name, mode, cert, key string
		trust                 *x509.Certificate
	}{
		{"common", config.CAModeCommon, root.certPEM, root.keyPEM, root.cert},
		{"custom chain", config.CAModeCustom, inter.certPEM + root.certPEM, inter.keyPEM, root.cert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Load(&config.CA{Mode: tt.mode, Certificate: tt.cert, PrivateKey: tt.key}, "")
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := a.Mint("updates.example.com")
			if err != nil {
				t.Fatal(err)
			}
			verifyLeaf(t, leaf, tt.trust, "updates.example.com")
		})
	}
}

func verifyLeaf(t *testing.T, leaf *tls.Certificate, root *x509.Certificate, host string) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(root)
	inters := x509.NewCertPool()
	for _, der := range leaf.Certificate[1:] {
		c, _ := x509.ParseCertificate(der)
		inters.AddCert(c)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inters}); err != nil {
		t.Fatalf("minted leaf does not verify for %s: %v", host, err)
	}
	if _, ok := leaf.PrivateKey.(*ecdsa.PrivateKey); !ok || leaf.Leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("leaf key is %T, want ECDSA P-256", leaf.PrivateKey)
	}
}

// TestCAErrors: each wrong input is refused with an error that says what is wrong.
func TestCAErrors(t *testing.T) {
	ca := newTestCA(t, "ca", nil, true)
	other := newTestCA(t, "other", nil, true)
	notCA := newTestCA(t, "server", ca, false)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	huge := ca.certPEM + strings.Repeat("x", config.MaxPEMBytes)
	encrypted := "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBAA==\n-----END ENCRYPTED PRIVATE KEY-----\n"
	tests := []struct {
		name, cert, key, want string
	}{
		{"key of another CA", ca.certPEM, other.keyPEM, "does not match the certificate"},
		{"RSA key for an ECDSA certificate", ca.certPEM, rsaPEM, "does not match the certificate"},
		{"too big certificate", huge, ca.keyPEM, "3 MB"},
		{"too big key", ca.certPEM, strings.Repeat("k", config.MaxPEMBytes+1), "3 MB"},
		{"encrypted key", ca.certPEM, encrypted, "no passphrase"},
		{"no key", ca.certPEM, "not a key", "no PEM private key"},
		{"no certificate", "garbage", ca.keyPEM, "no PEM certificate"},
		{"not a CA", notCA.certPEM, notCA.keyPEM, "not a CA certificate"},
		{"chain out of order", ca.certPEM + other.certPEM, ca.keyPEM, "is not signed by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromPEM([]byte(tt.cert), []byte(tt.key))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(&config.CA{Mode: config.CAModeCommon, Certificate: ca.certPEM + other.certPEM, PrivateKey: ca.keyPEM}, ""); err == nil {
		t.Error("common mode accepted a chain; want an error pointing to mode = \"custom\"")
	}
}

// TestMinterCacheBounded: one mint per host, concurrent asks share it, the cache stays
// within its bound.
func TestMinterCacheBounded(t *testing.T) {
	ca := newTestCA(t, "ca", nil, true)
	a, err := FromPEM([]byte(ca.certPEM), []byte(ca.keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMinter(a, 3)
	done := make(chan *tls.Certificate, 8)
	for range 8 {
		go func() { c, _ := m.Certificate("A.example.com."); done <- c }()
	}
	firstCert := <-done
	for range 7 {
		if c := <-done; c != firstCert {
			t.Fatal("concurrent requests for one host minted different certificates")
		}
	}
	for _, h := range []string{"b.example.com", "c.example.com", "d.example.com", "10.1.2.3"} {
		if _, err := m.Certificate(h); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n != 3 {
		t.Errorf("cache holds %d certificates, want the bound 3", n)
	}
	again, _ := m.Certificate("a.example.com")
	if again == firstCert {
		t.Error("the least recently used host was not evicted")
	}
	ipLeaf, _ := m.Certificate("10.1.2.3")
	if len(ipLeaf.Leaf.IPAddresses) != 1 {
		t.Error("a leaf for an IP address has no IP SAN")
	}
	if _, err := m.Certificate(""); err == nil {
		t.Error("minting for an empty host succeeded")
	}
}

// TestMinVersion: TLS versions from the configuration.
func TestMinVersion(t *testing.T) {
	for in, want := range map[string]uint16{"": tls.VersionTLS12, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13} {
		if got, err := MinVersion(in); err != nil || got != want {
			t.Errorf("MinVersion(%q) = %x, %v; want %x", in, got, err, want)
		}
	}
	if _, err := MinVersion("1.4"); err == nil {
		t.Error("MinVersion(1.4) accepted")
	}
}

func BenchmarkMintLeaf(b *testing.B) {
	ca := newTestCA(b, "ca", nil, true)
	a, _ := FromPEM([]byte(ca.certPEM), []byte(ca.keyPEM))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Mint("host.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLeafCached(b *testing.B) {
	ca := newTestCA(b, "ca", nil, true)
	a, _ := FromPEM([]byte(ca.certPEM), []byte(ca.keyPEM))
	m := NewMinter(a, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Certificate("host.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
