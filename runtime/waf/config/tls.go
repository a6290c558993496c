package config

import (
	"fmt"
	"strings"
)

// TLS is a certificate and its private key, both PEM. Fields tagged sensitive are marked
// as secrets by the schema: never shown in plans, only stored encrypted. The key may be encrypted (PKCS#8
// "ENCRYPTED PRIVATE KEY" or legacy "Proc-Type: 4,ENCRYPTED" with DEK-Info); Passphrase, or
// WAF_SSL_PASSPHRASE when it is empty, decrypts it.
type TLS struct {
	Certificate string `json:"certificate,omitempty" hcl:"certificate,optional"`
	PrivateKey  string `json:"private_key,omitempty" hcl:"private_key,optional" sensitive:"true"`
	Passphrase  string `json:"passphrase,omitempty" hcl:"passphrase,optional" sensitive:"true"`
	// MinVersion is the lowest TLS version accepted: "1.2" (default) or "1.3".
	MinVersion string `json:"min_version,omitempty" hcl:"min_version,optional"`
}

// DefaultTLSMinVersion is the lowest TLS version accepted unless configured otherwise.
const DefaultTLSMinVersion = "1.2"

func validateTLS(t *TLS, path string, bad func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	if !strings.Contains(t.Certificate, "-----BEGIN CERTIFICATE-----") {
		bad(path+".certificate", "must hold a PEM certificate (use file(\"site.crt\") in HCL)")
	}
	if !strings.Contains(t.PrivateKey, "PRIVATE KEY-----") {
		bad(path+".private_key", "must hold a PEM private key (use file(\"site.key\") in HCL)")
	}
	switch t.MinVersion {
	case "", "1.2", "1.3":
	default:
		bad(path+".min_version", "%q is not one of \"1.2\", \"1.3\"", t.MinVersion)
	}
}

func validateTLSUse(c *Config, bad func(path, format string, args ...any)) {
	validateTLS(c.TLS, "tls", bad)
	hasCert := c.TLS != nil
	for _, s := range c.Sites {
		validateTLS(s.TLS, fmt.Sprintf("site[%q].tls", s.Name), bad)
		hasCert = hasCert || s.TLS != nil
	}
	if c.Listen.HTTPS > 0 && !hasCert {
		bad("listen.https", "HTTPS needs a certificate: add a tls block to the waf or to a site")
	}
	if c.Listen.RedirectHTTP && (c.Listen.HTTPS <= 0 || c.Listen.HTTP <= 0) {
		bad("listen.redirect_http", "redirecting HTTP to HTTPS needs both listen.http and listen.https")
	}
}
