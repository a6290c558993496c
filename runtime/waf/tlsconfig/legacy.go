package tlsconfig

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// Legacy OpenSSL encryption ("Proc-Type: 4,ENCRYPTED" with DEK-Info, what `openssl rsa
// -aes256` wrote before OpenSSL 3) derives the key with one MD5 round of EVP_BytesToKey.
// The standard library deprecated x509.DecryptPEMBlock because that scheme is weak and
// its padding check can act as an oracle when an attacker submits ciphertexts; neither
// matters when an operator's own key file is decrypted once at load time, and users of
// the original appliance have such keys, so it is used here on purpose.

func isLegacyEncrypted(block *pem.Block) bool {
	//lint:ignore SA1019 legacy DEK-Info keys are supported on purpose; see the comment above.
	return x509.IsEncryptedPEMBlock(block) //nolint:staticcheck
}

func decryptLegacy(block *pem.Block, passphrase []byte) ([]byte, error) {
	//lint:ignore SA1019 legacy DEK-Info keys are supported on purpose; see the comment above.
	der, err := x509.DecryptPEMBlock(block, passphrase) //nolint:staticcheck
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, fmt.Errorf("decrypt legacy PEM key (DEK-Info %q): %w", block.Headers["DEK-Info"], err)
	}
	return der, nil
}
