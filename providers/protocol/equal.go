package protocol

import "github.com/zclconf/go-cty/cty"

// ValuesEqual compares two values the way rampart decides "no change": null and an empty
// collection are the same (no phantom drift when a provider reads back [] for an unset
// list), and marks are ignored (sensitivity is not a difference). Unknown values are never
// equal to anything. The engine and providers share this one rule so they always agree on
// what a no-op is.
func ValuesEqual(a, b cty.Value) bool {
	// Fast path: identical values (the common no-change case) need no normalisation.
	if a.RawEquals(b) && a.IsWhollyKnown() {
		return true
	}
	a, b = normalize(a), normalize(b)
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	if !a.Type().Equals(b.Type()) {
		return false
	}
	eq := a.Equals(b)
	return eq.IsKnown() && eq.True()
}

// normalize drops marks and turns empty lists, sets, maps and tuples into null,
// recursively.
func normalize(v cty.Value) cty.Value {
	v, _ = v.UnmarkDeep()
	out, _ := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsKnown() || v.IsNull() {
			return v, nil
		}
		ty := v.Type()
		if (ty.IsListType() || ty.IsMapType() || ty.IsSetType() || ty.IsTupleType()) && v.LengthInt() == 0 {
			return cty.NullVal(ty), nil
		}
		return v, nil
	})
	return out
}
