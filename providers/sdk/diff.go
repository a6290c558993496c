package sdk

import (
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// ObjectDiff lists the paths at which a and b differ, for a provider deciding what an
// update must touch (and whether it RequiresReplace). It descends into objects, maps,
// lists and tuples and reports the deepest differing paths; a list whose length changed
// or a differing set is reported as a whole. A null collection equals an empty one, so a
// block left out and a block written empty do not differ. Unknown values differ from
// everything except another unknown. cty.NilVal counts as null and marks are ignored.
// Paths come out in a stable order.
func ObjectDiff(a, b cty.Value) []cty.Path {
	a, b = unmarked(a), unmarked(b)
	if a.RawEquals(b) {
		return nil // the common case, a no-change plan: one cheap comparison
	}
	var diffs []cty.Path
	collectDiffs(make(cty.Path, 0, 8), a, b, &diffs)
	return diffs
}

// collectDiffs appends to diffs the paths below at where a and b differ. at is extended
// with append, so sibling calls share its backing array; reported paths are copies.
func collectDiffs(at cty.Path, a, b cty.Value, diffs *[]cty.Path) {
	a, b = emptyToNull(a), emptyToNull(b)
	report := func() { *diffs = append(*diffs, at.Copy()) }

	switch {
	case !a.IsKnown() || !b.IsKnown():
		if a.IsKnown() != b.IsKnown() {
			report()
		}
		return
	case a.IsNull() || b.IsNull():
		if a.IsNull() != b.IsNull() {
			report()
		}
		return
	case !a.Type().Equals(b.Type()):
		report()
		return
	}

	ty := a.Type()
	switch {
	case ty.IsObjectType():
		names := make([]string, 0, len(ty.AttributeTypes()))
		for name := range ty.AttributeTypes() {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			collectDiffs(append(at, cty.GetAttrStep{Name: name}), a.GetAttr(name), b.GetAttr(name), diffs)
		}
	case ty.IsMapType():
		am, bm := a.AsValueMap(), b.AsValueMap()
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, aok := am[k]
			bv, bok := bm[k]
			if !aok || !bok {
				*diffs = append(*diffs, append(at, cty.IndexStep{Key: cty.StringVal(k)}).Copy())
				continue
			}
			collectDiffs(append(at, cty.IndexStep{Key: cty.StringVal(k)}), av, bv, diffs)
		}
	case ty.IsListType() || ty.IsTupleType():
		if a.LengthInt() != b.LengthInt() {
			report()
			return
		}
		as, bs := a.AsValueSlice(), b.AsValueSlice()
		for i := range as {
			collectDiffs(append(at, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), as[i], bs[i], diffs)
		}
	default: // primitives and sets
		if !a.RawEquals(b) {
			report()
		}
	}
}

// unmarked strips marks, which ObjectDiff ignores, and turns NilVal into null.
func unmarked(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	v, _ = v.UnmarkDeep()
	return v
}

// emptyToNull turns an empty collection into null, the form ObjectDiff compares.
func emptyToNull(v cty.Value) cty.Value {
	ty := v.Type()
	if v.IsKnown() && !v.IsNull() && (ty.IsListType() || ty.IsMapType() || ty.IsSetType()) && v.LengthInt() == 0 {
		return cty.NullVal(ty)
	}
	return v
}
