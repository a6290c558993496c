package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// originHost is the name every client asks for. Neither proxy resolves it through DNS:
// rampart-gateway maps it with host_mappings, Squid with its own hosts_file.
const originHost = "origin.bench.test"

// deniedHost is a name on neither proxy's allowed list; both must refuse it.
const deniedHost = "denied.bench.test"

// authority is a certificate authority made for one run.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	keyPEM  []byte // PKCS#8, unencrypted: both proxies read it as it is
}

// pki is every certificate of a run, all ECDSA P-256 so that both proxies and the origin
// do the same handshake work.
type pki struct {
	// originCA signs the origin's certificate; the proxies trust it for origins, the
	// clients for tunnels (which are not intercepted).
	originCA *authority
	// interceptCA is what rampart-gateway (ca.mode "common") and Squid (ssl-bump) sign
	// intercepted hosts with; clients of the interception rows trust it.
	interceptCA *authority
	// origin is the origin server's certificate for originHost.
	origin tls.Certificate
}

func newPKI() (*pki, error) {
	originCA, err := newAuthority("rampart bench origin CA")
	if err != nil {
		return nil, err
	}
	interceptCA, err := newAuthority("rampart bench interception CA")
	if err != nil {
		return nil, err
	}
	origin, err := originCA.issue(originHost)
	if err != nil {
		return nil, err
	}
	return &pki{originCA: originCA, interceptCA: interceptCA, origin: origin}, nil
}

func newAuthority(name string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key of %s: %w", name, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"rampart benchmark"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate of %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate of %s: %w", name, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode key of %s: %w", name, err)
	}
	return &authority{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// issue returns a server certificate for host signed by a.
func (a *authority) issue(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate key of %s: %w", host, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("sign certificate of %s: %w", host, err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// pool is a, as the only root a client trusts.
func (a *authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// pkiFiles are where the PEM files Squid reads are written.
type pkiFiles struct {
	OriginCA        string // the origin CA certificate (Squid's tls_outgoing_options cafile)
	InterceptCACert string
	InterceptCAKey  string
}

// write puts the PEM files Squid needs into dir (readable by Squid's unprivileged user:
// the key is a throwaway made for this run).
func (p *pki) write(dir string) (pkiFiles, error) {
	f := pkiFiles{
		OriginCA:        filepath.Join(dir, "origin-ca.pem"),
		InterceptCACert: filepath.Join(dir, "intercept-ca.pem"),
		InterceptCAKey:  filepath.Join(dir, "intercept-ca.key"),
	}
	for path, data := range map[string][]byte{
		f.OriginCA:        p.originCA.certPEM,
		f.InterceptCACert: p.interceptCA.certPEM,
		f.InterceptCAKey:  p.interceptCA.keyPEM,
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return f, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return f, nil
}
