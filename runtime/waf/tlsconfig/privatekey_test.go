package tlsconfig_test

import (
	"crypto"
	"errors"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig"
	"github.com/rampart-sec/rampart/runtime/waf/tlsconfig/tlstest"
)

type publicKeyer interface {
	Public() crypto.PublicKey
	Equal(crypto.PrivateKey) bool
}

func TestParsePrivateKey(t *testing.T) {
	ec := tlstest.NewPair(t, "ec.example.com")
	rsa := tlstest.NewRSAPair(t, "rsa.example.com")
	const pass = "correct horse"
	tests := []struct {
		name      string
		pair      tlstest.Pair
		keyPEM    string
		encrypted bool
	}{
		{"pkcs8 unencrypted", ec, ec.KeyPEM, false},
		{"pkcs1 unencrypted", rsa, rsa.KeyPEM, false},
		{"pbes2 aes-256-cbc sha256", ec, tlstest.EncryptPKCS8(t, ec.KeyPEM, pass, "aes-256-cbc", "hmacWithSHA256"), true},
		{"pbes2 aes-128-cbc sha1", rsa, tlstest.EncryptPKCS8(t, rsa.KeyPEM, pass, "aes-128-cbc", "hmacWithSHA1"), true},
		{"pbes2 aes-192-cbc sha512", ec, tlstest.EncryptPKCS8(t, ec.KeyPEM, pass, "aes-192-cbc", "hmacWithSHA512"), true},
		{"pbes2 des3 sha384", ec, tlstest.EncryptPKCS8(t, ec.KeyPEM, pass, "des3", "hmacWithSHA384"), true},
		{"legacy rsa aes256", rsa, tlstest.EncryptLegacy(t, rsa.KeyPEM, pass, "rsa", "-aes256"), true},
		{"legacy ec des3", ec, tlstest.EncryptLegacy(t, ec.KeyPEM, pass, "ec", "-des3"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.encrypted && !strings.Contains(tt.keyPEM, "ENCRYPTED") {
				t.Fatalf("openssl did not encrypt the key:\n%s", tt.keyPEM)
			}
			key, err := tlsconfig.ParsePrivateKey([]byte(tt.keyPEM), []byte(pass))
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !tt.pair.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.(publicKeyer).Public()) {
				t.Fatal("the decoded key is not the certificate's")
			}
			if !tt.encrypted {
				return
			}
			if _, err := tlsconfig.ParsePrivateKey([]byte(tt.keyPEM), []byte("wrong")); !errors.Is(err, tlsconfig.ErrWrongPassphrase) {
				t.Errorf("wrong passphrase: err = %v, want ErrWrongPassphrase", err)
			}
			if _, err := tlsconfig.ParsePrivateKey([]byte(tt.keyPEM), nil); !errors.Is(err, tlsconfig.ErrNoPassphrase) {
				t.Errorf("no passphrase: err = %v, want ErrNoPassphrase", err)
			}
		})
	}
}

func TestParsePrivateKeyRejectsMalformedInput(t *testing.T) {
	ec := tlstest.NewPair(t, "ec.example.com")
	encrypted := tlstest.EncryptPKCS8(t, ec.KeyPEM, "pass", "aes-256-cbc", "hmacWithSHA256")
	lines := strings.Split(encrypted, "\n")
	truncated := strings.Join(append(lines[:2:2], lines[len(lines)-2:]...), "\n") // header, one line, footer
	for name, input := range map[string]string{
		"empty":         "",
		"a certificate": ec.CertPEM,
		"truncated":     truncated,
		"garbage":       "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
	} {
		if _, err := tlsconfig.ParsePrivateKey([]byte(input), []byte("pass")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
