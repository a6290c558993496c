package state

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
)

// KeyEnv is the environment variable holding the key that seals sensitive values in state.
const KeyEnv = "RAMPART_STATE_KEY"

// Key derivation parameters for passphrases. 600 000 rounds of PBKDF2-HMAC-SHA256 is the
// OWASP recommendation; the derived key is cached per salt, so it is paid once per run.
const (
	kdfPBKDF2     = "pbkdf2-sha256"
	kdfNone       = "none" // the secret is the 32-byte key itself
	pbkdf2Rounds  = 600_000
	maxRounds     = 10 * pbkdf2Rounds // bounds the work a crafted document can ask for
	saltSize      = 16
	minPassphrase = 8
	cipherName    = "AES-256-GCM"
)

// ErrNoKey is the error of Write when sensitive values would have to be written in clear.
var ErrNoKey = errors.New("state holds sensitive values but " + KeyEnv + " is not set: set it to a passphrase or " +
	"32-byte key so secrets are encrypted at rest (rampart never writes them in clear)")

// Key seals and opens the sensitive values of a state document with AES-256-GCM. It is
// either a raw 32-byte key or a passphrase from which a key is derived with PBKDF2 and a
// random salt stored in the document. A Key is safe for concurrent use.
type Key struct {
	raw        []byte // set for a raw key
	passphrase []byte // set for a passphrase

	mu      sync.Mutex
	salt    []byte                 // salt for new documents, chosen once per Key
	derived map[string]cipher.AEAD // AEAD by salt
}

// ParseKey reads a secret: 64 hex characters or standard base64 that decode to 32 bytes
// are a raw key; anything else is a passphrase.
func ParseKey(secret string) (*Key, error) {
	if b, err := hex.DecodeString(secret); err == nil && len(b) == 32 {
		return &Key{raw: b}, nil
	}
	if b, err := base64.StdEncoding.DecodeString(secret); err == nil && len(b) == 32 {
		return &Key{raw: b}, nil
	}
	if len(secret) < minPassphrase {
		return nil, fmt.Errorf("%s is too short: use a passphrase of at least %d characters or a 32-byte key (64 hex characters)", KeyEnv, minPassphrase)
	}
	return &Key{passphrase: []byte(secret)}, nil
}

// KeyFromEnv parses RAMPART_STATE_KEY; it returns (nil, nil) when the variable is unset or empty.
func KeyFromEnv() (*Key, error) {
	secret := os.Getenv(KeyEnv)
	if secret == "" {
		return nil, nil
	}
	return ParseKey(secret)
}

// encryption is the "encryption" member of a state document: what a reader needs, besides
// the key, to open the sealed values.
type encryption struct {
	Cipher     string `json:"cipher"`
	KDF        string `json:"kdf"`
	Iterations int    `json:"iterations,omitempty"`
	Salt       []byte `json:"salt,omitempty"`
}

// forWriting returns the AEAD and the encryption header for a new document.
func (k *Key) forWriting() (cipher.AEAD, *encryption, error) {
	if k.raw != nil {
		aead, err := newAEAD(k.raw)
		return aead, &encryption{Cipher: cipherName, KDF: kdfNone}, err
	}
	k.mu.Lock()
	if k.salt == nil {
		salt := make([]byte, saltSize)
		if _, err := rand.Read(salt); err != nil {
			k.mu.Unlock()
			return nil, nil, fmt.Errorf("generate salt: %w", err)
		}
		k.salt = salt
	}
	salt := k.salt
	k.mu.Unlock()
	enc := &encryption{Cipher: cipherName, KDF: kdfPBKDF2, Iterations: pbkdf2Rounds, Salt: salt}
	aead, err := k.forReading(enc)
	return aead, enc, err
}

// forReading returns the AEAD that opens a document sealed as enc says. Reading a
// passphrase document also adopts its salt, so the next write derives nothing new.
func (k *Key) forReading(enc *encryption) (cipher.AEAD, error) {
	if enc.Cipher != cipherName {
		return nil, fmt.Errorf("sealed with %q, this rampart only knows %s", enc.Cipher, cipherName)
	}
	switch enc.KDF {
	case kdfNone:
		if k.raw == nil {
			return nil, fmt.Errorf("secrets were sealed with a raw 32-byte key but %s holds a passphrase", KeyEnv)
		}
		return newAEAD(k.raw)
	case kdfPBKDF2:
		if k.passphrase == nil {
			return nil, fmt.Errorf("secrets were sealed with a passphrase but %s holds a raw 32-byte key", KeyEnv)
		}
		if len(enc.Salt) < saltSize || enc.Iterations < 1 || enc.Iterations > maxRounds {
			return nil, fmt.Errorf("encryption header has no valid salt or iteration count")
		}
		return k.derive(enc.Salt, enc.Iterations)
	}
	return nil, fmt.Errorf("unknown key derivation %q", enc.KDF)
}

func (k *Key) derive(salt []byte, rounds int) (cipher.AEAD, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	cacheKey := fmt.Sprintf("%x/%d", salt, rounds)
	if aead, ok := k.derived[cacheKey]; ok {
		return aead, nil
	}
	raw, err := pbkdf2.Key(sha256.New, string(k.passphrase), salt, rounds, 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if k.derived == nil {
		k.derived = make(map[string]cipher.AEAD)
	}
	k.derived[cacheKey] = aead
	if k.salt == nil {
		k.salt = append([]byte(nil), salt...)
	}
	return aead, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext bound to location (as additional data, so a sealed value cannot
// be moved to another attribute or instance) and returns nonce||ciphertext.
func seal(aead cipher.AEAD, plaintext []byte, location string) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("generate nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(location)), nil
}

// open is the inverse of seal.
func open(aead cipher.AEAD, sealed []byte, location string) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("sealed value is truncated")
	}
	nonce, ciphertext := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, ciphertext, []byte(location))
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt: %s is not the key this state was written with, or the file was altered", KeyEnv)
	}
	return plain, nil
}
