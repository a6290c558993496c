// Package tlstest makes certificates and encrypted private keys for tests: a fresh key
// and self-signed certificate per call, and the key encrypted the ways operators encrypt
// theirs (with the openssl command, as they would).
package tlstest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Pair is a certificate and its unencrypted private key, both PEM.
type Pair struct {
	CertPEM string
	KeyPEM  string // PKCS#8 "PRIVATE KEY" for ECDSA, PKCS#1 "RSA PRIVATE KEY" for RSA
	Cert    *x509.Certificate
}

// NewPair returns an ECDSA P-256 key and a self-signed certificate for dnsNames.
func NewPair(t testing.TB, dnsNames ...string) Pair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return selfSign(t, key, &key.PublicKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), dnsNames)
}

// NewRSAPair returns a 2048-bit RSA key (PKCS#1 PEM) and a self-signed certificate.
func NewRSAPair(t testing.TB, dnsNames ...string) Pair {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return selfSign(t, key, &key.PublicKey, keyPEM, dnsNames)
}

func selfSign(t testing.TB, key, public any, keyPEM []byte, dnsNames []string) Pair {
	t.Helper()
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: dnsNames[0]},
		DNSNames:              dnsNames,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, public, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return Pair{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(keyPEM),
		Cert:    cert,
	}
}

// EncryptPKCS8 encrypts keyPEM as PKCS#8 PBES2 ("ENCRYPTED PRIVATE KEY") with openssl:
// `openssl pkcs8 -topk8 -v2 <cipher> -v2prf <prf>`, e.g. cipher "aes-256-cbc" and prf
// "hmacWithSHA256".
func EncryptPKCS8(t testing.TB, keyPEM, passphrase, cipher, prf string) string {
	t.Helper()
	return openssl(t, keyPEM, passphrase, "pkcs8", "-topk8", "-v2", cipher, "-v2prf", prf, "-passout", "env:TLSTEST_PASSPHRASE")
}

// EncryptLegacy encrypts keyPEM in the traditional OpenSSL format ("Proc-Type:
// 4,ENCRYPTED" with DEK-Info); kind is "rsa" or "ec", cipherFlag e.g. "-aes256" or "-des3".
func EncryptLegacy(t testing.TB, keyPEM, passphrase, kind, cipherFlag string) string {
	t.Helper()
	args := []string{kind, cipherFlag, "-passout", "env:TLSTEST_PASSPHRASE"}
	if kind == "rsa" {
		args = append(args, "-traditional") // OpenSSL 3 writes PKCS#8 otherwise
	}
	return openssl(t, keyPEM, passphrase, args...)
}

func openssl(t testing.TB, input, passphrase string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("the openssl command is needed to encrypt test keys as operators do: install it (apt-get install -y openssl)")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewBufferString(input)
	cmd.Env = append(os.Environ(), "TLSTEST_PASSPHRASE="+passphrase)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}
