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

// memoGeneration is how many values a generation of the memo holds; a value used in the
// last two generations stays, so the few values that repeat survive the many that do not
// (each instance's placement is its own).
const memoGeneration = 128

// valueMemo maps encodings to decoded values, in two generations: a lookup that finds a
// value in the previous generation moves it to the current one, and a full current
// generation becomes the previous one (the older is dropped).
type valueMemo struct {
	mu       sync.Mutex
	current  map[memoKey]cty.Value
	previous map[memoKey]cty.Value
}

type memoKey struct{ typeJSON, msgpack string }

var decodedValues = &valueMemo{}

func (m *valueMemo) get(k memoKey) (cty.Value, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.current[k]; ok {
		return v, true
	}
	if v, ok := m.previous[k]; ok {
		m.putLocked(k, v)
		return v, true
	}
	return cty.NilVal, false
}

func (m *valueMemo) put(k memoKey, v cty.Value) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(k, v)
}

func (m *valueMemo) putLocked(k memoKey, v cty.Value) {
	if len(m.current) >= memoGeneration {
		m.previous, m.current = m.current, nil
	}
	if m.current == nil {
		m.current = make(map[memoKey]cty.Value, memoGeneration)
	}
	m.current[k] = v
}
