// Package mitm is the certificate side of TLS interception on the cache port: the
// authority that signs (generated per appliance, shared by many gateways, or signed by the
// customer's PKI) and the leaf certificates minted per intercepted host.
package mitm

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// Authority signs leaf certificates for intercepted hosts.
type Authority struct {
	// Certificate is the signing certificate (what agents trust, or the intermediate that
	// chains to what they trust).
	Certificate *x509.Certificate
	key         crypto.Signer
	// chain is sent after each leaf: the signing certificate, then the rest of the chain
	// given in "custom" mode.
	chain [][]byte
	// Mode is how the authority was obtained (config.CAMode*).
	Mode string
}

// Load returns the authority configured by ca: the appliance CA in dataDir (generated when
// absent), or the certificate and key given for "common" and "custom".
func Load(ca *config.CA, dataDir string) (*Authority, error) {
	mode := config.CAModeAppliance
	if ca != nil && ca.Mode != "" {
		mode = ca.Mode
	}
	switch mode {
	case config.CAModeAppliance:
		return loadOrGenerate(dataDir)
	case config.CAModeCommon, config.CAModeCustom:
		a, err := FromPEM([]byte(ca.Certificate), []byte(ca.PrivateKey))
		if err != nil {
			return nil, fmt.Errorf("ca (mode %q): %w", mode, err)
		}
		if mode == config.CAModeCommon && len(a.chain) > 1 {
			return nil, fmt.Errorf("ca (mode %q): the certificate holds a chain of %d; a common CA is one certificate (use mode = \"custom\" for a chain)", mode, len(a.chain))
		}
		a.Mode = mode
		return a, nil
	default:
		return nil, fmt.Errorf("ca.mode: %q is not one of \"appliance\", \"common\", \"custom\"", mode)
	}
}

// FromPEM builds an authority from a certificate (chain: the signing certificate first) and
// its unencrypted private key. The errors say which of the two is wrong.
func FromPEM(certPEM, keyPEM []byte) (*Authority, error) {
	if len(certPEM) > config.MaxPEMBytes {
		return nil, fmt.Errorf("certificate: %d bytes is over the 3 MB limit", len(certPEM))
	}
	if len(keyPEM) > config.MaxPEMBytes {
		return nil, fmt.Errorf("private key: %d bytes is over the 3 MB limit", len(keyPEM))
	}
	certs, err := config.ParseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	signer := certs[0]
	if !publicKeysEqual(signer.PublicKey, key.Public()) {
		return nil, errors.New("the private key does not match the certificate: give the key the certificate was issued for (the first certificate of the PEM is the signing one)")
	}
	if !signer.IsCA || (signer.KeyUsage != 0 && signer.KeyUsage&x509.KeyUsageCertSign == 0) {
		return nil, fmt.Errorf("certificate %q is not a CA certificate (it needs basicConstraints CA:TRUE and keyUsage keyCertSign) and cannot sign host certificates", signer.Subject.CommonName)
	}
	for i := 1; i < len(certs); i++ {
		if err := certs[i-1].CheckSignatureFrom(certs[i]); err != nil {
			return nil, fmt.Errorf("certificate chain: certificate %d (%q) is not signed by certificate %d (%q): order the chain from the signing certificate up to the root",
				i, certs[i-1].Subject.CommonName, i+1, certs[i].Subject.CommonName)
		}
	}
	a := &Authority{Certificate: signer, key: key}
	for _, c := range certs {
		a.chain = append(a.chain, c.Raw)
	}
	return a, nil
}
