package sdk

import "github.com/zclconf/go-cty/cty"

// Shape describes a placement block's object for a provider author: its type, the
// attributes the user sets and the ones the provider computes. Its methods are the small
// value plumbing every placement needs (both built-in providers use them).
type Shape struct {
	Type     cty.Type
	User     []string // set in configuration
	Computed []string // set by the provider
}

// Value assembles a placement object from the user-set attributes of config and the
// given computed ones; computed attributes missing from computed are unknown (known
// after apply).
func (s Shape) Value(config cty.Value, computed map[string]cty.Value) cty.Value {
	attrs := make(map[string]cty.Value, len(s.User)+len(s.Computed))
	for _, name := range s.User {
		attrs[name] = s.Attr(config, name)
	}
	for _, name := range s.Computed {
		v, ok := computed[name]
		if !ok {
			v = cty.UnknownVal(s.Type.AttributeType(name))
		}
		attrs[name] = v
	}
	return cty.ObjectVal(attrs)
}

// Attr returns an attribute of a placement object, a null of its type when absent.
func (s Shape) Attr(obj cty.Value, name string) cty.Value {
	if obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(s.Type.AttributeType(name))
	}
	return obj.GetAttr(name)
}

// ComputedOf copies the computed attributes of a placement object.
func (s Shape) ComputedOf(obj cty.Value) map[string]cty.Value {
	out := make(map[string]cty.Value, len(s.Computed))
	for _, name := range s.Computed {
		out[name] = s.Attr(obj, name)
	}
	return out
}

// String returns a known string attribute of a placement object, "" otherwise.
func (s Shape) String(obj cty.Value, name string) string {
	v, _ := s.Attr(obj, name).Unmark()
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
