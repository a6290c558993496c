package tlsconfig

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrWrongPassphrase means an encrypted private key did not decrypt with the passphrase.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// ErrNoPassphrase means a private key is encrypted and no passphrase was given.
var ErrNoPassphrase = errors.New("the key is encrypted and no passphrase is set: set tls.passphrase or WAF_SSL_PASSPHRASE")

// ParsePrivateKey decodes the first private key of a PEM text. It accepts unencrypted
// PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") and SEC 1 ("EC PRIVATE KEY") keys,
// PKCS#8 keys encrypted with PBES2 ("ENCRYPTED PRIVATE KEY", as written by
// `openssl pkcs8 -topk8 -v2 aes-256-cbc`) and legacy OpenSSL keys encrypted with a
// "Proc-Type: 4,ENCRYPTED" / "DEK-Info" header. passphrase decrypts encrypted keys.
func ParsePrivateKey(pemText []byte, passphrase []byte) (crypto.PrivateKey, error) {
	block := firstPrivateKeyBlock(pemText)
	if block == nil {
		return nil, errors.New("no PEM private key found")
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		if len(passphrase) == 0 {
			return nil, ErrNoPassphrase
		}
		der, err := decryptPBES2(block.Bytes, passphrase)
		if err != nil {
			return nil, err
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			// Correct padding by chance (about 1 in 256) but garbage inside: still
			// the passphrase's fault.
			return nil, ErrWrongPassphrase
		}
		return key, nil
	}
	if isLegacyEncrypted(block) {
		if len(passphrase) == 0 {
			return nil, ErrNoPassphrase
		}
		der, err := decryptLegacy(block, passphrase)
		if err != nil {
			return nil, err
		}
		key, err := parseUnencrypted(block.Type, der)
		if err != nil {
			return nil, ErrWrongPassphrase
		}
		return key, nil
	}
	key, err := parseUnencrypted(block.Type, block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", block.Type, err)
	}
	return key, nil
}

// firstPrivateKeyBlock skips anything else a PEM file may hold, such as "EC PARAMETERS".
func firstPrivateKeyBlock(pemText []byte) *pem.Block {
	for {
		var block *pem.Block
		block, pemText = pem.Decode(pemText)
		if block == nil {
			return nil
		}
		switch block.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return block
		}
	}
}

func parseUnencrypted(blockType string, der []byte) (crypto.PrivateKey, error) {
	switch blockType {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(der)
	default:
		return x509.ParsePKCS8PrivateKey(der)
	}
}
