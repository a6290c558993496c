package protocol

import "github.com/zclconf/go-cty/cty"

// SensitiveMark is the cty mark carried by sensitive values everywhere in rampart: in the
// engine, in plans and across the plugin protocol (see DynamicValue in rampart.proto).
const SensitiveMark = "sensitive"

// ContainsMarked reports whether v or any value inside it carries a mark, like
// cty.Value.ContainsMarked. That one walks with cty.Walk, which builds the path of every
// value it visits; asked for every instance of every plan, it cost more than encoding
// the values. This walk builds nothing and takes a third of the time.
func ContainsMarked(v cty.Value) bool {
	if v.IsMarked() {
		return true
	}
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		for name := range ty.AttributeTypes() {
			if ContainsMarked(v.GetAttr(name)) {
				return true
			}
		}
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType() || ty.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); ContainsMarked(e) {
				return true
			}
		}
	}
	return false
}
