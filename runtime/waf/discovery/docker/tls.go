package docker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// TLSMaterial is the PEM that authenticates the client to a TLS endpoint (tcp://host:2376)
// and the server to the client. Values are never logged.
type TLSMaterial struct {
	CA          string // PEM of the CA that signed the engine's certificate; empty: system roots
	Certificate string // PEM client certificate
	PrivateKey  string // PEM private key of the client certificate
}

// Empty reports whether no TLS material was given.
func (m TLSMaterial) Empty() bool {
	return m.CA == "" && m.Certificate == "" && m.PrivateKey == ""
}

// Config builds a TLS 1.2+ client configuration that verifies the engine's certificate.
func (m TLSMaterial) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.CA != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(m.CA)) {
			return nil, errors.New("docker_api.ca: no PEM certificate found; paste the CA certificate (-----BEGIN CERTIFICATE-----)")
		}
		cfg.RootCAs = pool
	}
	if (m.Certificate == "") != (m.PrivateKey == "") {
		return nil, errors.New("docker_api: set both certificate and private_key, or neither")
	}
	if m.Certificate != "" {
		pair, err := tls.X509KeyPair([]byte(m.Certificate), []byte(m.PrivateKey))
		if err != nil {
			// The error of X509KeyPair names no key material, only what is wrong with it.
			return nil, fmt.Errorf("docker_api certificate and private_key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
