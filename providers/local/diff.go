package local

import (
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"
)

// sameValue reports whether a and b are equal once marks are dropped and empty
// collections are treated as null, as the engine does. Unknown values are never the same
// as anything: the provider cannot promise they will not change.
func sameValue(a, b cty.Value) bool {
	a, b = normalise(a), normalise(b)
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	if !a.Type().Equals(b.Type()) {
		return false
	}
	return a.Equals(b).True()
}

// normalise drops marks and turns empty lists, sets, maps and tuples into null.
func normalise(v cty.Value) cty.Value {
	v, _ = v.UnmarkDeep()
	out, _ := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if v.IsKnown() && !v.IsNull() && isCollection(v.Type()) && v.LengthInt() == 0 {
			return cty.NullVal(v.Type()), nil
		}
		return v, nil
	})
	return out
}

func isCollection(t cty.Type) bool {
	return t.IsListType() || t.IsSetType() || t.IsMapType() || t.IsTupleType()
}

// changedAttributes lists the top-level attributes of two objects that differ, in the
// order of the object type's attribute names (sorted).
func changedAttributes(prev, next cty.Value) []string {
	if prev.RawEquals(next) {
		return nil // the common case, and much cheaper than comparing attribute by attribute
	}
	var changed []string
	prevPlain, _ := prev.UnmarkDeep()
	nextPlain, _ := next.UnmarkDeep()
	if !nextPlain.Type().IsObjectType() || !nextPlain.IsKnown() || nextPlain.IsNull() {
		return nil
	}
	for _, name := range sortedAttributeNames(nextPlain.Type()) {
		var before cty.Value
		if prevPlain.Type().IsObjectType() && prevPlain.Type().HasAttribute(name) && prevPlain.IsKnown() && !prevPlain.IsNull() {
			before = prevPlain.GetAttr(name)
		} else {
			before = cty.NullVal(nextPlain.Type().AttributeType(name))
		}
		if !sameValue(before, nextPlain.GetAttr(name)) {
			changed = append(changed, name)
		}
	}
	return changed
}

func sortedAttributeNames(t cty.Type) []string {
	return slices.Sorted(maps.Keys(t.AttributeTypes()))
}
