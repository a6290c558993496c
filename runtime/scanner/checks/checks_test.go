package checks

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestEmbeddedCatalogIsValid(t *testing.T) {
	if _, err := parseCatalog(checksYAML, vulnerableVersionsYAML); err != nil {
		t.Fatal(err)
	}
	// the list of weaknesses, each backed by a check
	for _, id := range []string{"tls-sslv3", "tls-legacy-version", "tls-weak-cipher", "tls-cert-expired", "tls-cert-expiring",
		"tls-cert-self-signed", "ssh-weak-kex", "ssh-weak-mac", "redis-no-auth", "docker-api-no-auth",
		"k8s-anonymous-access", "http-missing-security-headers", "http-directory-listing"} {
		if !slices.ContainsFunc(All(), func(c Check) bool { return c.ID == id }) {
			t.Errorf("check %s missing from checks.yaml", id)
		}
	}
}

func TestCatalogRejectsMistakes(t *testing.T) {
	tests := []struct{ checks, vulnerable, wantErr string }{
		{"- {id: a, title: A, severity: 3, test: nope, remediation: r}", "[]", `unknown test "nope"`},
		{"- {id: a, title: A, severity: 6, test: no_auth, remediation: r}", "[]", "severity 6"},
		{"- {id: a, title: A, severity: 3, test: no_auth, remediation: r, sevrity: 2}", "[]", "sevrity"},
		{"- {id: a, title: A, severity: 3, test: no_auth, remediation: r}\n- {id: a, title: A, severity: 3, test: no_auth, remediation: r}", "[]", "used twice"},
		{"[]", "- {product: x, cve: C, title: T, severity: 3, cvss: 5, remediation: r, affected: [{}]}", "empty range"},
		{"[]", "- {product: x, cve: C, title: T, severity: 3, cvss: 11, remediation: r, affected: [{equals: '1'}]}", "cvss 11"},
	}
	for _, tt := range tests {
		_, err := parseCatalog([]byte(tt.checks), []byte(tt.vulnerable))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("got %v, want an error with %q", err, tt.wantErr)
		}
	}
}

func ids(findings []Finding) []string {
	var out []string
	for _, f := range findings {
		id := f.CheckID
		if f.CVE != "" && id == VulnerableVersionCheckID {
			id += ":" + f.CVE
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func tlsService(versions []string, suites map[string][]string, cert *tlsprobe.Certificate) fingerprint.Service {
	return fingerprint.Service{Port: 443, Name: "https", TLS: &tlsprobe.Info{Versions: versions, CipherSuites: suites, Certificate: cert}}
}

// Each evaluator on services built the way fingerprint.Identify fills them.
func TestChecksOnServices(t *testing.T) {
	goodCert := &tlsprobe.Certificate{Subject: "CN=shop.example.com", NotAfter: now.Add(200 * 24 * time.Hour), KeyType: "ECDSA", KeyBits: 256}
	tests := []struct {
		name string
		svc  fingerprint.Service
		want []string
	}{
		{"modern tls", tlsService([]string{"TLS1.2", "TLS1.3"}, map[string][]string{"TLS1.2": {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}}, goodCert), nil},
		{"sslv3 with rc4", tlsService([]string{"SSLv3", "TLS1.2"}, map[string][]string{"SSLv3": {"TLS_RSA_WITH_RC4_128_SHA"}}, goodCert),
			[]string{"tls-sslv3", "tls-weak-cipher"}},
		{"tls1.1 with 3des", tlsService([]string{"TLS1.1"}, map[string][]string{"TLS1.1": {"TLS_RSA_WITH_3DES_EDE_CBC_SHA"}}, goodCert),
			[]string{"tls-legacy-version", "tls-weak-cipher"}},
		{"expired", tlsService([]string{"TLS1.3"}, nil, &tlsprobe.Certificate{NotAfter: now.Add(-time.Hour), KeyType: "RSA", KeyBits: 2048}), []string{"tls-cert-expired"}},
		{"expiring", tlsService([]string{"TLS1.3"}, nil, &tlsprobe.Certificate{NotAfter: now.Add(29 * 24 * time.Hour), KeyType: "RSA", KeyBits: 2048}), []string{"tls-cert-expiring"}},
		{"31 days left", tlsService([]string{"TLS1.3"}, nil, &tlsprobe.Certificate{NotAfter: now.Add(31 * 24 * time.Hour), KeyType: "RSA", KeyBits: 2048}), nil},
		{"self-signed 1024", tlsService([]string{"TLS1.3"}, nil, &tlsprobe.Certificate{NotAfter: now.Add(365 * 24 * time.Hour), SelfSigned: true, KeyType: "RSA", KeyBits: 1024}),
			[]string{"tls-cert-self-signed", "tls-cert-weak-key"}},
		{"terrapin", fingerprint.Service{Port: 22, Name: "ssh", SSH: &fingerprint.SSHInfo{
			KexAlgorithms: []string{"curve25519-sha256"}, Ciphers: []string{"chacha20-poly1305@openssh.com"}, MACs: []string{"hmac-sha2-256-etm@openssh.com"}}},
			[]string{"ssh-terrapin"}},
		{"strict kex", fingerprint.Service{Port: 22, Name: "ssh", SSH: &fingerprint.SSHInfo{
			KexAlgorithms: []string{"curve25519-sha256", "kex-strict-s-v00@openssh.com"}, Ciphers: []string{"chacha20-poly1305@openssh.com"}, MACs: []string{"hmac-sha2-256-etm@openssh.com"}}},
			nil},
		{"weak ssh", fingerprint.Service{Port: 22, Name: "ssh", SSH: &fingerprint.SSHInfo{
			KexAlgorithms: []string{"diffie-hellman-group1-sha1", "gss-group1-sha1-toWM5Slw5Ew8Mqkay+al2g==", "kex-strict-s-v00@openssh.com"},
			Ciphers:       []string{"aes128-cbc"}, MACs: []string{"hmac-md5"}}},
			[]string{"ssh-weak-cipher", "ssh-weak-kex", "ssh-weak-mac"}},
		{"docker open", fingerprint.Service{Port: 2375, Name: "docker", Product: "Docker", Version: "28.5.2", Evidence: map[string]string{"auth": "none"}}, []string{"docker-api-no-auth"}},
		{"docker tls", fingerprint.Service{Port: 2376, Name: "docker", Evidence: map[string]string{"auth": "required"}}, nil},
		{"k8s open", fingerprint.Service{Port: 6443, Name: "kubernetes", Evidence: map[string]string{"anonymous": "authorized", "answered": "x"}}, []string{"k8s-anonymous-access"}},
		{"k8s anonymous forbidden", fingerprint.Service{Port: 6443, Name: "kubernetes", Evidence: map[string]string{"anonymous": "authenticated", "answered": "x"}}, []string{"k8s-anonymous-auth"}},
		{"k8s locked", fingerprint.Service{Port: 6443, Name: "kubernetes", Evidence: map[string]string{"anonymous": "disabled"}}, nil},
		{"redis elsewhere says auth none but is not redis", fingerprint.Service{Port: 1, Name: "ftp", Evidence: map[string]string{"auth": "none"}}, nil},
		{"http headers partly there", fingerprint.Service{Port: 80, Name: "http", HTTP: &fingerprint.HTTPInfo{Status: 200, Headers: map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'self'"}}}, nil},
		{"http no headers", fingerprint.Service{Port: 80, Name: "http", HTTP: &fingerprint.HTTPInfo{Status: 200, Headers: map[string]string{}}}, []string{"http-missing-security-headers"}},
		{"apache listing", fingerprint.Service{Port: 80, Name: "http", HTTP: &fingerprint.HTTPInfo{Status: 200, Headers: map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "x"},
			Body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of /files</title>"}}, []string{"http-directory-listing"}},
		{"regresshion", fingerprint.Service{Port: 22, Name: "ssh", Product: "OpenSSH", Version: "9.2p1", Banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2"},
			[]string{"vulnerable-version:CVE-2024-6387"}},
		{"regresshion fixed by debian", fingerprint.Service{Port: 22, Name: "ssh", Product: "OpenSSH", Version: "9.2p1", Banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"}, nil},
		{"openssh 9.8", fingerprint.Service{Port: 22, Name: "ssh", Product: "OpenSSH", Version: "9.8p1", Banner: "SSH-2.0-OpenSSH_9.8p1"}, nil},
		{"old openssh", fingerprint.Service{Port: 22, Name: "ssh", Product: "OpenSSH", Version: "7.4p1", Banner: "SSH-2.0-OpenSSH_7.4p1"}, []string{"vulnerable-version:CVE-2018-15473"}},
		{"vsftpd backdoor", fingerprint.Service{Port: 21, Name: "ftp", Product: "vsftpd", Version: "2.3.4"}, []string{"vulnerable-version:CVE-2011-2523"}},
		{"vsftpd 3", fingerprint.Service{Port: 21, Name: "ftp", Product: "vsftpd", Version: "3.0.3"}, nil},
		{"apache 2.4.49", fingerprint.Service{Port: 80, Name: "http", Product: "Apache httpd", Version: "2.4.49"}, []string{"vulnerable-version:CVE-2021-41773", "vulnerable-version:CVE-2021-42013"}},
		{"nginx 1.20.0", fingerprint.Service{Port: 80, Name: "http", Product: "nginx", Version: "1.20.0"}, []string{"vulnerable-version:CVE-2021-23017"}},
		{"nginx 1.22.1", fingerprint.Service{Port: 80, Name: "http", Product: "nginx", Version: "1.22.1"}, nil},
		{"kubernetes 1.11.4", fingerprint.Service{Port: 6443, Name: "kubernetes", Product: "Kubernetes API server", Version: "1.11.4"}, []string{"vulnerable-version:CVE-2018-1002105"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(Run(netip.MustParseAddr("10.0.0.5"), []fingerprint.Service{tt.svc}, Options{Now: func() time.Time { return now }}))
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestRunDisabledAndOrder(t *testing.T) {
	services := []fingerprint.Service{
		{Port: 6379, Name: "redis", Evidence: map[string]string{"auth": "none"}},
		{Port: 21, Name: "ftp", Product: "vsftpd", Version: "2.3.4"},
		tlsService([]string{"TLS1.0"}, nil, &tlsprobe.Certificate{NotAfter: now.Add(24 * time.Hour), SelfSigned: true, KeyType: "RSA", KeyBits: 2048}),
	}
	findings := Run(netip.MustParseAddr("10.0.0.5"), services, Options{Now: func() time.Time { return now }, Disabled: []string{"tls-cert-expiring"}})
	var order []string
	for _, f := range findings {
		order = append(order, f.CheckID)
		if f.Host != "10.0.0.5" || f.Title == "" || f.Severity < 1 || f.Severity > 5 {
			t.Fatalf("bad finding %+v", f)
		}
	}
	want := []string{"vulnerable-version", "tls-cert-self-signed", "tls-legacy-version", "redis-no-auth"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v (port, then severity high to low, then id)", order, want)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9.2p1", "9.8p1", -1},
		{"9.8p1", "10.0p1", -1},
		{"1.3.5", "1.3.5a", -1},
		{"1.22.1", "1.22.1", 0},
		{"1.20.0", "1.20.1", -1},
		{"4.92", "4.91", 1},
		{"2.4.49", "2.4.5", 1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("9.2p1", "9.8p1")
	f.Add("1.3.5a", "1.3.5")
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareVersions(a, b) != -CompareVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
	})
}

func BenchmarkRun(b *testing.B) {
	services := []fingerprint.Service{
		tlsService([]string{"TLS1.0", "TLS1.2"}, map[string][]string{"TLS1.0": {"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}}, &tlsprobe.Certificate{NotAfter: now}),
		{Port: 22, Name: "ssh", Product: "OpenSSH", Version: "9.2p1", SSH: &fingerprint.SSHInfo{KexAlgorithms: []string{"curve25519-sha256"}, MACs: []string{"hmac-sha1"}}},
		{Port: 80, Name: "http", Product: "nginx", Version: "1.22.1", HTTP: &fingerprint.HTTPInfo{Status: 200, Headers: map[string]string{}}},
	}
	host := netip.MustParseAddr("10.0.0.5")
	b.ReportAllocs()
	for b.Loop() {
		Run(host, services, Options{Now: func() time.Time { return now }})
	}
}
