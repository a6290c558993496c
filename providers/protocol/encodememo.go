package protocol

import (
	"fmt"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// encodeMemo remembers the encodings of the last few runtime values a client sent. The
// instances of a for_each usually share one runtime configuration, so a plan of 200 of
// them would otherwise encode the same value 200 times for Observe (their priors) and
// 200 times more for Plan (their configuration). Telling that a value is exactly one
// already encoded (cty's RawEquals, marks included) costs a quarter of encoding it.
type encodeMemo struct {
	mu     sync.Mutex
	recent []memoEncoding // most recently used first
}

type memoEncoding struct {
	value cty.Value
	wire  *DynamicValue // shared by the requests that send it: read-only
}

// encodeMemoSize is how many distinct values are remembered: a configuration rarely
// has more kinds of runtime configuration in play at once.
const encodeMemoSize = 4

// encode returns the wire form of v, reusing a remembered encoding of an equal value.
func (m *encodeMemo) encode(v cty.Value) (*DynamicValue, error) {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return EncodeValue(v) // cheap, and not worth a slot
	}
	m.mu.Lock()
	recent := append([]memoEncoding(nil), m.recent...)
	m.mu.Unlock()
	for _, e := range recent {
		if e.value.RawEquals(v) {
			return e.wire, nil
		}
	}
	w, err := EncodeValue(v)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recent = append([]memoEncoding{{value: v, wire: w}}, m.recent...)
	if len(m.recent) > encodeMemoSize {
		m.recent = m.recent[:encodeMemoSize]
	}
	return w, nil
}

// encodeInstanceValue is EncodeInstanceValue with the runtime value going through m.
func (m *encodeMemo) encodeInstanceValue(iv *InstanceValue) (*WireInstanceValue, error) {
	if iv == nil {
		return nil, nil
	}
	runtime, err := m.encode(iv.Runtime)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	placement, err := EncodeValue(iv.Placement)
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return &WireInstanceValue{Runtime: runtime, Placement: placement}, nil
}
