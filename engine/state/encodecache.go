package state

import (
	"bytes"
	"sync"
)

// instanceElements remembers, per instance address, the rendered element of the
// document's "instances" array (see documentwriter.go), so that persisting the state after
// every instance of an apply renders only the instance that changed: re-encoding 200
// unchanged WAF containers on each of 200 writes was most of the apply's CPU.
//
// An entry is used only for the same generation of the same address (generation.go), so
// it holds exactly what encoding that instance again would produce, apart from the random
// nonces of sealed values. An element with sealed values is reused only by an Encode with
// the same Key and encryption header: its ciphertexts open with what that document says.
// Reusing them writes again what the previous state already held for an unchanged value;
// no nonce is ever used for another plaintext. The cache keeps only the instances of the
// state last encoded (retain), so a long-running process does not keep the elements of
// instances long destroyed.
var instanceElements = &elementCache{entries: make(map[string]cachedElement)}

type elementCache struct {
	mu      sync.Mutex
	entries map[string]cachedElement
}

type cachedElement struct {
	gen     uint64
	element []byte
	// sealedWith is set when element holds sealed values: the key and the encryption
	// header they were sealed under.
	sealedWith *sealing
}

// sealing identifies the key material of sealed values.
type sealing struct {
	key    *Key
	header encryption
}

// get returns the element rendered for inst, if inst is the same generation and the
// element's sealed values (if any) belong to the document sealer is writing.
func (c *elementCache) get(inst *Instance, sealer *encrypter) ([]byte, bool, error) {
	if inst.gen == 0 {
		return nil, false, nil
	}
	c.mu.Lock()
	e, ok := c.entries[inst.Address]
	c.mu.Unlock()
	if !ok || e.gen != inst.gen {
		return nil, false, nil
	}
	if e.sealedWith != nil {
		if e.sealedWith.key != sealer.key {
			return nil, false, nil
		}
		if err := sealer.start(); err != nil {
			return nil, false, err
		}
		if !e.sealedWith.header.equal(sealer.header) {
			return nil, false, nil
		}
	}
	return e.element, true, nil
}

// put remembers the element rendered for inst; sealed says whether it holds sealed values
// (then sealer has its header).
func (c *elementCache) put(inst *Instance, element []byte, sealed bool, sealer *encrypter) {
	if inst.gen == 0 {
		return
	}
	e := cachedElement{gen: inst.gen, element: element}
	if sealed {
		e.sealedWith = &sealing{key: sealer.key, header: *sealer.header}
	}
	c.mu.Lock()
	c.entries[inst.Address] = e
	c.mu.Unlock()
}

// retain drops the entries of every address not in addresses: the instances of the state
// just encoded.
func (c *elementCache) retain(addresses map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for address := range c.entries {
		if !addresses[address] {
			delete(c.entries, address)
		}
	}
}

// equal says whether two headers describe the same key derivation.
func (h encryption) equal(o *encryption) bool {
	return o != nil && h.Cipher == o.Cipher && h.KDF == o.KDF && h.Iterations == o.Iterations && bytes.Equal(h.Salt, o.Salt)
}
