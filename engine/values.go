package engine

import (
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
	"github.com/zclconf/go-cty/cty"
)

// equalValues compares two values the way a user would: null and an empty collection are
// the same (no phantom drift when a provider reads back [] for an unset list), and marks
// are ignored (sensitivity is not a difference). Unknown values are never equal.
func equalValues(a, b cty.Value) bool {
	// Fast path: identical values (the common no-change case) need no normalisation.
	if a.RawEquals(b) && a.IsWhollyKnown() {
		return true
	}
	a, _ = a.UnmarkDeep()
	b, _ = b.UnmarkDeep()
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

// normalize turns empty collections into nulls of their type, recursively.
func normalize(v cty.Value) cty.Value {
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

// applyIgnoreChanges copies the attributes named in lifecycle { ignore_changes } from the
// prior value into the desired configuration, so changes to them never show in a plan.
// Traversals are relative to the appliance: `site` (runtime), `local.env` (placement).
func applyIgnoreChanges(a *schema.Appliance, req *protocol.PlanRequest) {
	if req.Prior == nil || len(a.Lifecycle.IgnoreChanges) == 0 {
		return
	}
	placementType := placementTypeOf(a)
	for _, t := range a.Lifecycle.IgnoreChanges {
		root := t.RootName()
		if root == placementType {
			if name, ok := traversalAttr(t, 1); ok {
				req.Config.Placement = copyAttr(req.Config.Placement, req.Prior.Placement, name)
			}
			continue
		}
		req.Config.Runtime = copyAttr(req.Config.Runtime, req.Prior.Runtime, root)
	}
}

func copyAttr(dst, src cty.Value, name string) cty.Value {
	if dst.IsNull() || !dst.IsKnown() || src.IsNull() || !src.IsKnown() {
		return dst
	}
	if !dst.Type().IsObjectType() || !dst.Type().HasAttribute(name) || !src.Type().HasAttribute(name) {
		return dst
	}
	attrs := dst.AsValueMap()
	attrs[name] = src.GetAttr(name)
	return cty.ObjectVal(attrs)
}

// copyMarks marks in dst every path that is marked in one of the sources and exists in dst.
func copyMarks(dst cty.Value, sources ...cty.Value) cty.Value {
	if dst == cty.NilVal {
		return dst
	}
	var marks []cty.PathValueMarks
	for _, src := range sources {
		if src == cty.NilVal || !src.ContainsMarked() {
			continue
		}
		_, pvm := src.UnmarkDeepWithPaths()
		for _, pm := range pvm {
			if _, err := pm.Path.Apply(dst); err == nil {
				marks = append(marks, pm)
			}
		}
	}
	if len(marks) == 0 {
		return dst
	}
	return dst.MarkWithPaths(marks)
}
