// Package tlsconfig loads the certificates of rampart-waf (the waf's default and each
// site's) and chooses one per TLS handshake by the client's SNI server name. Private keys
// may be encrypted; see ParsePrivateKey.
package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// PassphraseEnv names the environment variable holding the passphrase of encrypted keys
// whose tls block sets none (the original appliance's variable).
const PassphraseEnv = "WAF_SSL_PASSPHRASE"

// ALPN protocols offered, best first: HTTP/2, then HTTP/1.1.
var nextProtos = []string{"h2", "http/1.1"}

// Certificates are the loaded certificates of one configuration. They never change once
// loaded: a reload loads a new set and swaps it in.
type Certificates struct {
	fallback *entry            // served when no site matches the server name
	byHost   map[string]*entry // lower-case site hostname → its site's certificate
	sites    []*entry          // in configuration order, for matching by the certificates' names
}

// entry is one certificate with the handshake configuration that serves it.
type entry struct {
	site   string // "" for the waf's default certificate
	config *tls.Config
}

// Load reads and checks every certificate of cfg: the waf's tls block and each site's.
// envPassphrase (WAF_SSL_PASSPHRASE) decrypts keys whose block sets no passphrase. The
// default certificate, served when the SNI matches no site, is the waf's own, else the
// first site's. Load returns nil and no error when cfg declares no certificate.
// Errors name the block, e.g. `site "shop": tls.private_key: wrong passphrase`, and
// never contain the passphrase.
func Load(cfg *config.Config, envPassphrase string) (*Certificates, error) {
	c := &Certificates{byHost: map[string]*entry{}}
	if cfg.TLS != nil {
		e, err := newEntry("", cfg.TLS, envPassphrase)
		if err != nil {
			return nil, err
		}
		c.fallback = e
	}
	for _, s := range cfg.Sites {
		if s.TLS == nil {
			continue
		}
		e, err := newEntry(s.Name, s.TLS, envPassphrase)
		if err != nil {
			return nil, err
		}
		c.sites = append(c.sites, e)
		for _, h := range s.Hostnames {
			c.byHost[canonicalName(h)] = e
		}
		if c.fallback == nil {
			c.fallback = e
		}
	}
	if c.fallback == nil {
		return nil, nil
	}
	return c, nil
}

func newEntry(site string, t *config.TLS, envPassphrase string) (*entry, error) {
	prefix := "tls"
	if site != "" {
		prefix = fmt.Sprintf("site %q: tls", site)
	}
	cert, err := LoadKeyPair(t, envPassphrase)
	if err != nil {
		return nil, fmt.Errorf("%s%w", prefix, err)
	}
	minVersion := uint16(tls.VersionTLS12)
	if t.MinVersion == "1.3" {
		minVersion = tls.VersionTLS13
	}
	return &entry{site: site, config: &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		NextProtos:   nextProtos,
	}}, nil
}

// LoadKeyPair decodes a tls block's certificate chain and private key and checks that they
// belong together. Its errors start with the field at fault (".private_key: ...") so that
// the caller can prefix the block's path.
func LoadKeyPair(t *config.TLS, envPassphrase string) (tls.Certificate, error) {
	passphrase := t.Passphrase
	if passphrase == "" {
		passphrase = envPassphrase
	}
	key, err := ParsePrivateKey([]byte(t.PrivateKey), []byte(passphrase))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf(".private_key: %w", err)
	}
	// Re-encode the decrypted key so that tls.X509KeyPair does the chain parsing and the
	// check that the key matches the certificate.
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf(".private_key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	cert, err := tls.X509KeyPair([]byte(t.Certificate), keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return tls.Certificate{}, errors.New(": the private key does not belong to the certificate: check that certificate and private_key come from the same pair")
		}
		return tls.Certificate{}, fmt.Errorf(".certificate: %w", err)
	}
	return cert, nil
}

// ConfigForClient picks the handshake configuration for a ClientHello: the site whose
// hostnames contain the server name (exactly, ignoring case), else the first site whose
// certificate names cover it (wildcards as in x509 hostname verification), else the
// default certificate.
func (c *Certificates) ConfigForClient(hello *tls.ClientHelloInfo) *tls.Config {
	return c.match(hello.ServerName).config
}

// SiteFor names the site whose certificate a server name gets; "" is the default one.
func (c *Certificates) SiteFor(serverName string) string { return c.match(serverName).site }

func (c *Certificates) match(serverName string) *entry {
	if serverName == "" {
		return c.fallback
	}
	name := canonicalName(serverName)
	if e, ok := c.byHost[name]; ok {
		return e
	}
	for _, e := range c.sites {
		if leaf := e.config.Certificates[0].Leaf; leaf != nil && leaf.VerifyHostname(name) == nil {
			return e
		}
	}
	return c.fallback
}

func canonicalName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// ServerConfig is the listener's TLS configuration. Each handshake asks current for the
// loaded certificates, so a reload changes certificates for new connections while open
// ones keep theirs.
func ServerConfig(current func() *Certificates) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: nextProtos,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			certs := current()
			if certs == nil {
				return nil, errors.New("no certificate is configured: add a tls block to the waf or to a site")
			}
			return certs.ConfigForClient(hello), nil
		},
	}
}
