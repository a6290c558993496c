package state

import (
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// encrypter seals the sensitive values of one document, asking the key for its cipher
// only when the first sensitive value shows up.
type encrypter struct {
	key    *Key
	aead   cipher.AEAD
	header *encryption // set by start, once something is sealed in the document
}

// start readies the cipher and the document's encryption header, once per document. It
// runs on the first value to seal, or when a value sealed earlier is reused.
func (e *encrypter) start() error {
	if e.aead != nil {
		return nil
	}
	if e.key == nil {
		return ErrNoKey
	}
	aead, header, err := e.key.forWriting()
	if err != nil {
		return err
	}
	e.aead, e.header = aead, header
	return nil
}

func (e *encrypter) seal(plain any, location string) (any, error) {
	if err := e.start(); err != nil {
		return nil, err
	}
	plaintext, err := json.Marshal(plain)
	if err != nil {
		return nil, err
	}
	sealed, err := seal(e.aead, plaintext, location)
	if err != nil {
		return nil, err
	}
	return sealedValue{Sealed: sealed}, nil
}

// decrypter opens the sealed values of one document. It is safe for concurrent use:
// instances are decoded in parallel.
type decrypter struct {
	key    *Key
	header *encryption

	mu   sync.Mutex
	aead cipher.AEAD // derived from key and header on first use (a passphrase costs a KDF)
}

func (d *decrypter) open(node []byte, location string) ([]byte, error) {
	aead, err := d.cipher()
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	var text string
	if json.Unmarshal(node, &obj) != nil || json.Unmarshal(obj["sealed"], &text) != nil || text == "" {
		return nil, errors.New("expected a sealed value")
	}
	sealed, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("sealed value: %w", err)
	}
	return open(aead, sealed, location)
}

// cipher is the document's AEAD, derived once.
func (d *decrypter) cipher() (cipher.AEAD, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.aead == nil {
		if d.key == nil {
			return nil, fmt.Errorf("state holds encrypted secrets but %s is not set: set it to the passphrase or key the state was written with", KeyEnv)
		}
		if d.header == nil {
			return nil, errors.New("state holds sealed values but no encryption header")
		}
		aead, err := d.key.forReading(d.header)
		if err != nil {
			return nil, err
		}
		d.aead = aead
	}
	return d.aead, nil
}
