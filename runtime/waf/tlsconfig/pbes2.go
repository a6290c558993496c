package tlsconfig

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// PKCS#8 encrypted keys (RFC 5208) with PBES2 (RFC 8018): the key is PBKDF2(passphrase,
// salt, iterations) and the PKCS#8 DER is encrypted with AES-CBC or 3DES-CBC under it.
// The standard library has PBKDF2 and the ciphers but no decoder for the envelope; it
// is small enough to read here in full.

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

// pbkdf2PRFs are the HMACs PBKDF2 may use; hmacWithSHA1 is the default when absent.
var pbkdf2PRFs = map[string]func() hash.Hash{
	"1.2.840.113549.2.7":  sha1.New,
	"1.2.840.113549.2.8":  sha256.New224,
	"1.2.840.113549.2.9":  sha256.New,
	"1.2.840.113549.2.10": sha512.New384,
	"1.2.840.113549.2.11": sha512.New,
}

// pbes2Ciphers are the encryption schemes, with their key sizes.
var pbes2Ciphers = map[string]struct {
	keySize  int
	newBlock func(key []byte) (cipher.Block, error)
}{
	"2.16.840.1.101.3.4.1.2":  {16, aes.NewCipher}, // aes128-CBC
	"2.16.840.1.101.3.4.1.22": {24, aes.NewCipher}, // aes192-CBC
	"2.16.840.1.101.3.4.1.42": {32, aes.NewCipher}, // aes256-CBC
	"1.2.840.113549.3.7":      {24, des.NewTripleDESCipher},
}

// maxPBKDF2Iterations bounds the work a key file can demand at start-up (OpenSSL writes
// 2,048 by default; 10 million take seconds).
const maxPBKDF2Iterations = 10_000_000

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// decryptPBES2 returns the PKCS#8 DER inside an EncryptedPrivateKeyInfo.
func decryptPBES2(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if err := unmarshalAll(der, &info); err != nil {
		return nil, fmt.Errorf("decode encrypted PKCS#8 key: %w", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted PKCS#8 key uses %v, not PBES2: re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if err := unmarshalAll(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("decode PBES2 parameters: %w", err)
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("PBES2 key derivation %v is not supported (only PBKDF2): re-encrypt the key with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", params.KeyDerivationFunc.Algorithm)
	}
	var kdf pbkdf2Params
	if err := unmarshalAll(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("decode PBKDF2 parameters: %w", err)
	}
	scheme, ok := pbes2Ciphers[params.EncryptionScheme.Algorithm.String()]
	if !ok {
		return nil, fmt.Errorf("PBES2 cipher %v is not supported (AES-CBC or 3DES-CBC): re-encrypt the key with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", params.EncryptionScheme.Algorithm)
	}
	var iv []byte
	if err := unmarshalAll(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("decode PBES2 cipher IV: %w", err)
	}
	prf := sha1.New
	if len(kdf.PRF.Algorithm) > 0 {
		if prf, ok = pbkdf2PRFs[kdf.PRF.Algorithm.String()]; !ok {
			return nil, fmt.Errorf("PBKDF2 hash %v is not supported", kdf.PRF.Algorithm)
		}
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBKDF2Iterations {
		return nil, fmt.Errorf("PBKDF2 iteration count %d is outside 1-%d", kdf.Iterations, maxPBKDF2Iterations)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != scheme.keySize {
		return nil, fmt.Errorf("PBKDF2 key length %d does not fit the cipher's %d", kdf.KeyLength, scheme.keySize)
	}

	key, err := pbkdf2.Key(prf, string(passphrase), kdf.Salt, kdf.Iterations, scheme.keySize)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := scheme.newBlock(key)
	if err != nil {
		return nil, err
	}
	size := block.BlockSize()
	data := info.EncryptedData
	if len(iv) != size || len(data) == 0 || len(data)%size != 0 {
		return nil, errors.New("encrypted PKCS#8 key is malformed (IV or data length)")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	return unpad(plain, size)
}

// unpad removes PKCS#7 padding. Bad padding is what a wrong passphrase almost always gives.
func unpad(plain []byte, blockSize int) ([]byte, error) {
	n := int(plain[len(plain)-1])
	if n == 0 || n > blockSize || n > len(plain) {
		return nil, ErrWrongPassphrase
	}
	if subtle.ConstantTimeCompare(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) != 1 {
		return nil, ErrWrongPassphrase
	}
	return plain[:len(plain)-n], nil
}

// unmarshalAll decodes DER and refuses trailing bytes.
func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("trailing data after ASN.1 value")
	}
	return nil
}
