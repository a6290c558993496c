package mitm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/rampart-sec/rampart/internal/atomicfile"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// Files of the appliance CA in the data directory.
const (
	CACertFile = "cache-ca.crt"
	CAKeyFile  = "cache-ca.key"
)

// caValidity is how long a generated appliance CA is valid: agents import it once.
const caValidity = 10 * 365 * 24 * time.Hour

// loadOrGenerate returns the appliance CA kept in dataDir, generating it on first start.
// The key is written 0600 and the certificate after it, so a crash between the two leaves
// no certificate without its key.
func loadOrGenerate(dataDir string) (*Authority, error) {
	if dataDir == "" {
		return nil, errors.New("ca: the appliance CA needs a data directory to be kept in (give the gateway a data directory, or set ca.mode = \"common\")")
	}
	certPath, keyPath := filepath.Join(dataDir, CACertFile), filepath.Join(dataDir, CAKeyFile)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	if certErr == nil && keyErr == nil {
		a, err := FromPEM(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("appliance CA in %s: %w (remove %s and %s to generate a new one; agents must then trust the new certificate)", dataDir, err, CACertFile, CAKeyFile)
		}
		a.Mode = config.CAModeAppliance
		return a, nil
	}
	if !errors.Is(certErr, os.ErrNotExist) {
		return nil, fmt.Errorf("read appliance CA: %w", certErr)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("appliance CA: %w", err)
	}
	certPEM, keyPEM, err := generateCA()
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("appliance CA key: %w", err)
	}
	if err := atomicfile.Write(certPath, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("appliance CA certificate: %w", err)
	}
	a, err := FromPEM(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	a.Mode = config.CAModeAppliance
	return a, nil
}

// generateCA makes a new ECDSA P-256 CA certificate and key, both PEM.
func generateCA() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "rampart gateway cache CA " + host, Organization: []string{"rampart"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode CA key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	return n, nil
}

// CertificatePEM is the signing certificate in PEM, for agents to import.
func (a *Authority) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Certificate.Raw})
}
