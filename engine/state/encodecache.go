package state

import (
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// instanceDocs remembers the encoded value of each instance address, so that persisting
// the state after every instance of an apply re-encodes only what changed: encoding 200
// unchanged values on each of 200 writes was three quarters of a 200-instance apply's CPU.
// Only values without sensitive parts are kept (a sealed value belongs to the document's
// encryption header), and an entry is used only when the value is exactly the one it was
// encoded from, so the cache can never change what is written. It holds only the
// instances of the state last encoded (retain), so a long-running process does not keep
// the values of instances long destroyed.
var instanceDocs = &encodeCache{entries: make(map[string]cachedDoc)}

type encodeCache struct {
	mu      sync.Mutex
	entries map[string]cachedDoc
}

type cachedDoc struct {
	value cty.Value
	doc   valueDoc
}

// get returns the document encoded from v for the address, if v is that value.
func (c *encodeCache) get(address string, v cty.Value) (valueDoc, bool) {
	if v == cty.NilVal {
		return valueDoc{}, false
	}
	c.mu.Lock()
	e, ok := c.entries[address]
	c.mu.Unlock()
	if !ok || !e.value.RawEquals(v) {
		return valueDoc{}, false
	}
	return e.doc, true
}

// put remembers the document of a value that has no sensitive parts.
func (c *encodeCache) put(address string, v cty.Value, doc valueDoc) {
	if v == cty.NilVal || len(doc.SensitivePaths) > 0 {
		return
	}
	c.mu.Lock()
	c.entries[address] = cachedDoc{value: v, doc: doc}
	c.mu.Unlock()
}

// retain drops the entries of every address not in addresses: the instances of the state
// just encoded.
func (c *encodeCache) retain(addresses map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for address := range c.entries {
		if !addresses[address] {
			delete(c.entries, address)
		}
	}
}
