package sdk

import (
	"maps"
	"slices"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// ChangedAttributes lists the top-level attributes of two objects that differ, in the
// order of the object type's attribute names (sorted).
func ChangedAttributes(prev, next cty.Value) []string {
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
		if !protocol.ValuesEqual(before, nextPlain.GetAttr(name)) {
			changed = append(changed, name)
		}
	}
	return changed
}

func sortedAttributeNames(t cty.Type) []string {
	return slices.Sorted(maps.Keys(t.AttributeTypes()))
}
