package engine

import (
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
	"github.com/zclconf/go-cty/cty"
)

// equalValues is rampart's "no change" comparison, shared with providers.
func equalValues(a, b cty.Value) bool { return protocol.ValuesEqual(a, b) }

// applyIgnoreChanges copies the attributes named in lifecycle { ignore_changes } from the
// prior value into the desired configuration, so changes to them never show in a plan.
// Traversals are relative to the appliance: `site` (runtime), `local.env` (placement).
//
// `ignore_changes = all` does that for every runtime setting and every setting of the
// placement block (its computed attributes stay the provider's).
func applyIgnoreChanges(a *schema.Appliance, ps *protocol.PlacementSchema, req *protocol.PlanRequest) {
	if req.Prior == nil {
		return
	}
	if a.Lifecycle.IgnoreAllChanges {
		if v := req.Prior.Runtime; v != cty.NilVal && !v.IsNull() && v.IsKnown() {
			req.Config.Runtime = v
		}
		if ps != nil && ps.Block != nil {
			for name, attr := range ps.Block.Attributes {
				if attr.Settable() {
					req.Config.Placement = copyAttr(req.Config.Placement, req.Prior.Placement, name)
				}
			}
			for name := range ps.Block.BlockTypes {
				req.Config.Placement = copyAttr(req.Config.Placement, req.Prior.Placement, name)
			}
		}
		return
	}
	if len(a.Lifecycle.IgnoreChanges) == 0 {
		return
	}
	placementType := placementTypeOf(a)
	for _, t := range a.Lifecycle.IgnoreChanges {
		root, ok := traversalAttr(t, 0)
		if !ok {
			continue // the configuration loader only lets attribute names through
		}
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
		if src == cty.NilVal || !protocol.ContainsMarked(src) {
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
