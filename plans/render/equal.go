package render

import (
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// same reports whether a and b show no difference in a plan: marks aside, equal values,
// with null and empty collections counting as equal at any depth, so a list that is
// absent on one side and [] on the other is never a phantom change.
func same(a, b cty.Value) bool {
	a, _ = orNull(a).UnmarkDeep()
	b, _ = orNull(b).UnmarkDeep()
	return sameUnmarked(a, b)
}

func sameUnmarked(a, b cty.Value) bool {
	if !a.IsKnown() || !b.IsKnown() {
		return !a.IsKnown() && !b.IsKnown()
	}
	if isNullish(a) && isNullish(b) {
		return true
	}
	if a.IsNull() || b.IsNull() {
		return false
	}
	at, bt := a.Type(), b.Type()
	switch {
	case isMapping(at) && isMapping(bt):
		for _, k := range unionKeys(a, b) {
			if !sameUnmarked(child(a, k), child(b, k)) {
				return false
			}
		}
		return true
	case isSequence(at) && isSequence(bt):
		ae, be := elements(a), elements(b)
		if len(ae) != len(be) {
			return false
		}
		for i := range ae {
			if !sameUnmarked(ae[i], be[i]) {
				return false
			}
		}
		return true
	case at.IsPrimitiveType() && bt.IsPrimitiveType():
		return at.Equals(bt) && a.Equals(b).True()
	}
	return a.RawEquals(b)
}

// isNullish reports whether v is null or a known empty collection or object.
func isNullish(v cty.Value) bool {
	v, _ = orNull(v).Unmark()
	if v.IsNull() {
		return true
	}
	if !v.IsKnown() {
		return false
	}
	ty := v.Type()
	if isMapping(ty) || isSequence(ty) {
		return v.LengthInt() == 0
	}
	return false
}

func isMapping(ty cty.Type) bool { return ty.IsObjectType() || ty.IsMapType() }

// orNull turns the zero cty.Value, which many cty methods reject, into a null.
func orNull(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v
}

// unionKeys returns the sorted keys of both objects or maps.
func unionKeys(a, b cty.Value) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range []cty.Value{a, b} {
		for _, k := range keys(v) {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
