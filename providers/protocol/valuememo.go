package protocol

import (
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// A plan of a for_each of 200 appliances sends the provider 200 copies of the same
// runtime value, byte for byte (in Observe as the priors, in Plan as the configuration),
// and decoding each costs as much as the rest of the call. DecodeValue remembers what it
// decoded recently, by the exact bytes: the same bytes always decode to the same value,
// and cty values are immutable, so every caller can share one.

// memoMinSize is the smallest msgpack encoding worth remembering: below it decoding
// costs about as much as looking it up.
const memoMinSize = 256

// memoGenerationSize is how many values a generation of the memo holds; a value used in
// the last two generations stays, so the few values that repeat survive the many that do not
// (each instance's placement is its own).
const memoGenerationSize = 128

// valueMemo maps encodings to decoded values, in two generations: a lookup that finds a
// value in the previous generation moves it to the current one, and a full current
// generation becomes the previous one (the older is dropped).
type valueMemo struct {
	mu       sync.Mutex
	current  memoGeneration
	previous memoGeneration
}

// memoGeneration holds values by type JSON, then by msgpack bytes: two map levels, so
// that a lookup indexes with the request's bytes as they are (m[string(b)] does not
// copy them) instead of building a 4 KB key for every value decoded.
type memoGeneration struct {
	byType map[string]map[string]cty.Value
	n      int
}

func (g *memoGeneration) get(typeJSON, msgpack []byte) (cty.Value, bool) {
	v, ok := g.byType[string(typeJSON)][string(msgpack)]
	return v, ok
}

func (g *memoGeneration) put(typeJSON, msgpack []byte, v cty.Value) {
	if g.byType == nil {
		g.byType = map[string]map[string]cty.Value{}
	}
	inner := g.byType[string(typeJSON)]
	if inner == nil {
		inner = map[string]cty.Value{}
		g.byType[string(typeJSON)] = inner
	}
	if _, ok := inner[string(msgpack)]; !ok {
		g.n++
	}
	inner[string(msgpack)] = v
}

var decodedValues = &valueMemo{}

func (m *valueMemo) get(typeJSON, msgpack []byte) (cty.Value, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.current.get(typeJSON, msgpack); ok {
		return v, true
	}
	if v, ok := m.previous.get(typeJSON, msgpack); ok {
		m.putLocked(typeJSON, msgpack, v)
		return v, true
	}
	return cty.NilVal, false
}

func (m *valueMemo) put(typeJSON, msgpack []byte, v cty.Value) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(typeJSON, msgpack, v)
}

func (m *valueMemo) putLocked(typeJSON, msgpack []byte, v cty.Value) {
	if m.current.n >= memoGenerationSize {
		m.previous, m.current = m.current, memoGeneration{}
	}
	m.current.put(typeJSON, msgpack, v)
}
