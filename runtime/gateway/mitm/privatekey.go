package mitm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// parsePrivateKey reads one unencrypted PEM private key (PKCS#1, PKCS#8 or SEC 1).
func parsePrivateKey(pemText []byte) (crypto.Signer, error) {
	for rest := pemText; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key found (want -----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)")
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "" {
			return nil, errors.New("the key is encrypted; the gateway takes no passphrase: decrypt it first (openssl pkey -in key.pem -out plain.pem)")
		}
		key, err := parseKeyDER(block.Type, block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", block.Type, err)
		}
		return key, nil
	}
}

func parseKeyDER(pemType string, der []byte) (crypto.Signer, error) {
	switch pemType {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(der)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key type %T cannot sign", k)
	}
	return signer, nil
}

// publicKeysEqual says whether a certificate's public key is the key's.
func publicKeysEqual(certKey, key crypto.PublicKey) bool {
	switch k := certKey.(type) {
	case *rsa.PublicKey:
		return k.Equal(key)
	case *ecdsa.PublicKey:
		return k.Equal(key)
	case ed25519.PublicKey:
		return k.Equal(key)
	}
	return false
}
