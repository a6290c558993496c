package tlsconfig_test

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig/tlstest"
)

func tlsBlock(p tlstest.Pair) *config.TLS {
	return &config.TLS{Certificate: p.CertPEM, PrivateKey: p.KeyPEM}
}

func TestLoadErrorsNameTheBlock(t *testing.T) {
	shop := tlstest.NewPair(t, "shop.example.com")
	other := tlstest.NewPair(t, "other.example.com")
	const secret = "s3cret-passphrase"
	encrypted := tlstest.EncryptPKCS8(t, shop.KeyPEM, secret, "aes-256-cbc", "hmacWithSHA256")

	tests := []struct {
		name    string
		waf     *config.TLS
		site    *config.TLS
		env     string
		wantErr string // "" means Load succeeds
	}{
		{"passphrase in the block", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted, Passphrase: secret}, "", ""},
		{"passphrase from the environment", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted}, secret, ""},
		{"the block wins over the environment", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted, Passphrase: secret}, "wrong", ""},
		{"wrong passphrase", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted, Passphrase: "wrong"}, "", `site "shop": tls.private_key: wrong passphrase`},
		{"missing passphrase", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted}, "", `site "shop": tls.private_key: the key is encrypted and no passphrase is set`},
		{"key of another certificate", nil, &config.TLS{Certificate: shop.CertPEM, PrivateKey: other.KeyPEM}, "", `site "shop": tls: the private key does not belong to the certificate`},
		{"waf default block", &config.TLS{Certificate: shop.CertPEM, PrivateKey: encrypted, Passphrase: "wrong"}, nil, "", `tls.private_key: wrong passphrase`},
		{"broken certificate", nil, &config.TLS{Certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", PrivateKey: shop.KeyPEM}, "", `site "shop": tls.certificate: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{TLS: tt.waf, Sites: []config.Site{{Name: "shop", Hostnames: []string{"shop.example.com"}, Pool: "p", TLS: tt.site}}}
			certs, err := tlsconfig.Load(cfg, tt.env)
			if tt.wantErr == "" {
				if err != nil || certs == nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to start with %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error reveals the passphrase: %v", err)
			}
		})
	}
}

func TestLoadWithoutCertificates(t *testing.T) {
	certs, err := tlsconfig.Load(&config.Config{Sites: []config.Site{{Name: "a", Pool: "p"}}}, "")
	if err != nil || certs != nil {
		t.Fatalf("Load = %v, %v; want nil, nil", certs, err)
	}
}

func TestServerNameSelectsTheSiteCertificate(t *testing.T) {
	def := tlstest.NewPair(t, "default.example.com")
	shop := tlstest.NewPair(t, "shop.example.com")
	blog := tlstest.NewPair(t, "*.blog.example.com") // a wildcard certificate
	cfg := &config.Config{
		TLS: tlsBlock(def),
		Sites: []config.Site{
			{Name: "shop", Hostnames: []string{"shop.example.com"}, Pool: "p", TLS: tlsBlock(shop)},
			{Name: "blog", Hostnames: []string{"www.blog.example.com"}, Pool: "p", TLS: &config.TLS{Certificate: blog.CertPEM, PrivateKey: blog.KeyPEM, MinVersion: "1.3"}},
			{Name: "plain", Hostnames: []string{"plain.example.com"}, Pool: "p"}, // no certificate of its own
		},
	}
	certs, err := tlsconfig.Load(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		serverName string
		wantSite   string
	}{
		{"shop.example.com", "shop"},
		{"SHOP.Example.COM.", "shop"},     // case and trailing dot ignored
		{"www.blog.example.com", "blog"},  // a listed hostname
		{"news.blog.example.com", "blog"}, // covered by the wildcard SAN only
		{"a.b.blog.example.com", ""},      // a wildcard covers one label
		{"plain.example.com", ""},         // the site has no certificate: default
		{"unknown.example.com", ""},       // default
		{"", ""},                          // no SNI: default
	}
	for _, tt := range tests {
		if got := certs.SiteFor(tt.serverName); got != tt.wantSite {
			t.Errorf("SiteFor(%q) = %q, want %q", tt.serverName, got, tt.wantSite)
		}
	}
	blogConfig := certs.ConfigForClient(&tls.ClientHelloInfo{ServerName: "www.blog.example.com"})
	if blogConfig.MinVersion != tls.VersionTLS13 {
		t.Errorf("blog min version = %x, want TLS 1.3", blogConfig.MinVersion)
	}
	shopConfig := certs.ConfigForClient(&tls.ClientHelloInfo{ServerName: "shop.example.com"})
	if shopConfig.MinVersion != tls.VersionTLS12 || shopConfig.Certificates[0].Leaf.Subject.CommonName != "shop.example.com" {
		t.Errorf("shop config: min version %x, certificate %q", shopConfig.MinVersion, shopConfig.Certificates[0].Leaf.Subject.CommonName)
	}
	if got := strings.Join(shopConfig.NextProtos, ","); got != "h2,http/1.1" {
		t.Errorf("ALPN = %s, want h2,http/1.1", got)
	}
}

func BenchmarkConfigForClient(b *testing.B) {
	cfg := &config.Config{}
	for _, name := range []string{"a", "b", "c", "d"} {
		p := tlstest.NewPair(b, name+".example.com")
		cfg.Sites = append(cfg.Sites, config.Site{Name: name, Hostnames: []string{name + ".example.com"}, Pool: "p", TLS: tlsBlock(p)})
	}
	certs, err := tlsconfig.Load(cfg, "")
	if err != nil {
		b.Fatal(err)
	}
	hello := &tls.ClientHelloInfo{ServerName: "d.example.com"}
	b.ReportAllocs()
	for b.Loop() {
		certs.ConfigForClient(hello)
	}
}
