package checks

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

// evaluator decides whether check c applies to svc; evidence says what was seen.
type evaluator func(c *Check, svc *fingerprint.Service, now time.Time) (evidence string, found bool)

// evaluators are the tests checks.yaml may name.
var evaluators = map[string]evaluator{
	"tls_version":      tlsVersion,
	"tls_cipher":       tlsCipher,
	"cert_expired":     certExpired,
	"cert_expiring":    certExpiring,
	"cert_self_signed": certSelfSigned,
	"cert_weak_key":    certWeakKey,
	"ssh_algorithms":   sshAlgorithms,
	"ssh_terrapin":     sshTerrapin,
	"no_auth":          noAuth,
	"k8s_anonymous":    k8sAnonymous,
	"http_headers":     httpHeaders,
	"http_body":        httpBody,
}

// tlsVersion: params.versions lists the protocol versions that must not be accepted.
func tlsVersion(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.TLS == nil {
		return "", false
	}
	var offered []string
	for _, v := range svc.TLS.Versions {
		if slices.Contains(c.Params.Versions, v) {
			offered = append(offered, v)
		}
	}
	return "server accepts " + strings.Join(offered, ", "), len(offered) > 0
}

// tlsCipher: params.patterns are substrings of suite names that are weak.
func tlsCipher(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.TLS == nil {
		return "", false
	}
	var weak []string
	for _, version := range svc.TLS.Versions {
		for _, suite := range svc.TLS.CipherSuites[version] {
			for _, p := range c.Params.Patterns {
				if strings.Contains(suite, p) {
					weak = append(weak, version+" "+suite)
					break
				}
			}
		}
	}
	return "weak suites accepted: " + strings.Join(weak, ", "), len(weak) > 0
}

func certExpired(_ *Check, svc *fingerprint.Service, now time.Time) (string, bool) {
	cert := certificate(svc)
	if cert == nil || !now.After(cert.NotAfter) {
		return "", false
	}
	return fmt.Sprintf("certificate %q expired on %s", cert.Subject, cert.NotAfter.Format(time.DateOnly)), true
}

// certExpiring: params.days is the warning window. An expired certificate is tls-cert-expired.
func certExpiring(c *Check, svc *fingerprint.Service, now time.Time) (string, bool) {
	cert := certificate(svc)
	if cert == nil || now.After(cert.NotAfter) {
		return "", false
	}
	left := cert.NotAfter.Sub(now)
	if left > time.Duration(c.Params.Days)*24*time.Hour {
		return "", false
	}
	return fmt.Sprintf("certificate %q expires on %s (%d days left)", cert.Subject, cert.NotAfter.Format(time.DateOnly), int(left.Hours()/24)), true
}

func certSelfSigned(_ *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	cert := certificate(svc)
	if cert == nil || !cert.SelfSigned {
		return "", false
	}
	return fmt.Sprintf("certificate %q is issued by itself", cert.Subject), true
}

// certWeakKey: params.min_rsa_bits and min_ec_bits.
func certWeakKey(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	cert := certificate(svc)
	if cert == nil {
		return "", false
	}
	weak := cert.KeyType == "RSA" && cert.KeyBits < c.Params.MinRSA || cert.KeyType == "ECDSA" && cert.KeyBits < c.Params.MinEC
	return fmt.Sprintf("%s key of %d bits", cert.KeyType, cert.KeyBits), weak
}

func certificate(svc *fingerprint.Service) *tlsprobe.Certificate {
	if svc.TLS == nil {
		return nil
	}
	return svc.TLS.Certificate
}

// sshAlgorithms: params.list is "kex", "macs" or "ciphers"; params.weak the names (with *
// wildcards) that must not be offered.
func sshAlgorithms(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.SSH == nil {
		return "", false
	}
	var offered []string
	switch c.Params.List {
	case "kex":
		offered = svc.SSH.KexAlgorithms
	case "macs":
		offered = svc.SSH.MACs
	case "ciphers":
		offered = svc.SSH.Ciphers
	}
	var weak []string
	for _, alg := range offered {
		for _, pattern := range c.Params.Weak {
			if ok, _ := path.Match(pattern, alg); ok {
				weak = append(weak, alg)
				break
			}
		}
	}
	return "server offers " + strings.Join(weak, ", "), len(weak) > 0
}

// sshTerrapin (CVE-2023-48795): vulnerable when the server offers ChaCha20-Poly1305 or an
// encrypt-then-MAC algorithm and does not announce strict key exchange.
func sshTerrapin(_ *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.SSH == nil || slices.Contains(svc.SSH.KexAlgorithms, "kex-strict-s-v00@openssh.com") {
		return "", false
	}
	var affected []string
	if slices.Contains(svc.SSH.Ciphers, "chacha20-poly1305@openssh.com") {
		affected = append(affected, "chacha20-poly1305@openssh.com")
	}
	for _, mac := range svc.SSH.MACs {
		if strings.HasSuffix(mac, "-etm@openssh.com") {
			affected = append(affected, mac)
		}
	}
	return "no strict key exchange, and offers " + strings.Join(affected, ", "), len(affected) > 0
}

// noAuth: params.services are the service names where Evidence "auth" = "none" is a finding.
func noAuth(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if !slices.Contains(c.Params.Services, svc.Name) || svc.Evidence["auth"] != "none" {
		return "", false
	}
	evidence := fmt.Sprintf("%s answered without credentials", svc.Name)
	if svc.Version != "" {
		evidence += fmt.Sprintf(" (version %s)", svc.Version)
	}
	if a := svc.Evidence["answered"]; a != "" {
		evidence += ": " + a
	}
	return evidence, true
}

// k8sAnonymous: params.levels lists the Evidence "anonymous" values that are findings
// ("authorized": anonymous may read resources; "authenticated": anonymous requests are accepted).
func k8sAnonymous(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	level := svc.Evidence["anonymous"]
	if svc.Name != "kubernetes" || !slices.Contains(c.Params.Levels, level) {
		return "", false
	}
	return svc.Evidence["answered"], true
}

// httpHeaders: params.headers are the headers every HTTP answer should carry.
func httpHeaders(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.HTTP == nil {
		return "", false
	}
	var missing []string
	for _, rule := range c.Params.Headers {
		if rule.TLSOnly && svc.TLS == nil {
			continue
		}
		if svc.HTTP.Headers[rule.Name] != "" || rule.Or != "" && svc.HTTP.Headers[rule.Or] != "" {
			continue
		}
		missing = append(missing, rule.Name)
	}
	return fmt.Sprintf("GET / (status %d) lacks %s", svc.HTTP.Status, strings.Join(missing, ", ")), len(missing) > 0
}

// httpBody: params.patterns are substrings of the answer to GET / that are findings.
func httpBody(c *Check, svc *fingerprint.Service, _ time.Time) (string, bool) {
	if svc.HTTP == nil {
		return "", false
	}
	for _, p := range c.Params.Patterns {
		if strings.Contains(svc.HTTP.Body, p) {
			return fmt.Sprintf("GET / (status %d) answers with %q", svc.HTTP.Status, p), true
		}
	}
	return "", false
}
