package protocol

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"time"
)

// The engine and its provider plugins talk over mutual TLS, so that no other process
// that can reach the plugin's socket can call it, and the engine knows it talks to the
// plugin it started. go-plugin's AutoMTLS does the same with P-521 keys made on both
// sides at every start, which costs about 25 ms of CPU per command, most of it before
// the plugin can answer. rampart makes both identities itself, with Ed25519 keys (a few
// microseconds each), and hands the plugin its half through an inherited pipe:
//
//   - the engine creates a key pair and self-signed certificate for itself and another
//     for the plugin, starts the plugin with the read end of a pipe as file descriptor
//     TLSBundleFD, and names it in the TLSBundleEnv environment variable;
//   - it writes the plugin's certificate and private key and its own certificate into
//     the pipe (the private key is never in the environment, the command line or a
//     file), and trusts exactly the plugin's certificate;
//   - the plugin reads the bundle at start, serves with its certificate and accepts
//     exactly the engine's.
//
// A plugin started without TLSBundleEnv (by go-plugin's AutoMTLS, as the SDK's tests do)
// keeps go-plugin's behaviour.

// TLSBundleEnv names the environment variable that tells a plugin which file descriptor
// carries its TLS bundle.
const TLSBundleEnv = "RAMPART_PLUGIN_TLS_FD"

// TLSBundleFD is the descriptor the engine passes the bundle on: the first one after
// stdin, stdout and stderr (exec.Cmd.ExtraFiles[0]).
const TLSBundleFD = 3

// maxTLSBundle bounds what a plugin reads from the bundle descriptor.
const maxTLSBundle = 64 << 10

// PEM block types of the bundle.
const (
	pemServerCert = "RAMPART PLUGIN CERTIFICATE"
	pemServerKey  = "RAMPART PLUGIN PRIVATE KEY"
	pemClientCert = "RAMPART ENGINE CERTIFICATE"
)

// tlsServerName is the name in both certificates; the connection is a local socket.
const tlsServerName = "localhost"

// NewPluginTLS makes the identities of one engine-to-plugin connection. It returns the
// engine's TLS configuration and the bundle to hand the plugin (see ServerTLS).
func NewPluginTLS() (client *tls.Config, bundle []byte, err error) {
	clientCert, clientDER, err := newIdentity()
	if err != nil {
		return nil, nil, fmt.Errorf("plugin TLS: %w", err)
	}
	serverCert, serverDER, err := newIdentity()
	if err != nil {
		return nil, nil, fmt.Errorf("plugin TLS: %w", err)
	}
	serverKey, err := x509.MarshalPKCS8PrivateKey(serverCert.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("plugin TLS: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(serverCert.Leaf)
	client = &tls.Config{
		Certificates: []tls.Certificate{clientCert},
		RootCAs:      roots,
		ServerName:   tlsServerName,
		MinVersion:   tls.VersionTLS13,
	}
	bundle = pem.EncodeToMemory(&pem.Block{Type: pemServerCert, Bytes: serverDER})
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: pemServerKey, Bytes: serverKey})...)
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: pemClientCert, Bytes: clientDER})...)
	return client, bundle, nil
}

// ServerTLS reads the bundle NewPluginTLS made (from the plugin's TLSBundleFD) and
// returns the plugin's TLS configuration: it serves with its own certificate and
// accepts exactly the engine's.
func ServerTLS(r io.Reader) (*tls.Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxTLSBundle))
	if err != nil {
		return nil, fmt.Errorf("read plugin TLS bundle: %w", err)
	}
	blocks := map[string][]byte{}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		blocks[b.Type] = b.Bytes
	}
	for _, want := range []string{pemServerCert, pemServerKey, pemClientCert} {
		if blocks[want] == nil {
			return nil, fmt.Errorf("plugin TLS bundle: no %s", want)
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(blocks[pemServerKey])
	if err != nil {
		return nil, fmt.Errorf("plugin TLS bundle: private key: %w", err)
	}
	leaf, err := x509.ParseCertificate(blocks[pemServerCert])
	if err != nil {
		return nil, fmt.Errorf("plugin TLS bundle: certificate: %w", err)
	}
	engine, err := x509.ParseCertificate(blocks[pemClientCert])
	if err != nil {
		return nil, fmt.Errorf("plugin TLS bundle: engine certificate: %w", err)
	}
	clients := x509.NewCertPool()
	clients.AddCert(engine)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clients,
		MinVersion:   tls.VersionTLS13,
	}, nil
}

// newIdentity makes an Ed25519 key and a self-signed certificate for it. The key lives
// only as long as the processes that hold it, so the certificate's dates only need to
// outlast them (a long-running reconcile included) and allow for clock skew.
func newIdentity() (tls.Certificate, []byte, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: tlsServerName, Organization: []string{"rampart"}},
		DNSNames:              []string{tlsServerName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // its own root: each side trusts exactly this certificate
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, pub, priv)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, der, nil
}
