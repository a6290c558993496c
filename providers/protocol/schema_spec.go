package protocol

import (
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// ImpliedType is the object type of a block described by s: every attribute (computed
// ones included) plus one attribute per nested block type, an object for NestingSingle
// and a list of objects for NestingList. A nil schema implies an empty object.
func (s *Schema) ImpliedType() cty.Type {
	if s == nil {
		return cty.EmptyObject
	}
	attrs := make(map[string]cty.Type, len(s.Attributes)+len(s.BlockTypes))
	for name, a := range s.Attributes {
		attrs[name] = a.Type
	}
	for name, b := range s.BlockTypes {
		attrs[name] = b.impliedType()
	}
	return cty.Object(attrs)
}

func (b *NestedBlock) impliedType() cty.Type {
	if b.Nesting == NestingList {
		return cty.List(b.Block.ImpliedType())
	}
	return b.Block.ImpliedType()
}

// Settable reports whether configuration may set the attribute. Computed-only attributes
// are filled in by the provider and are not part of the configuration language.
func (a *Attribute) Settable() bool {
	return a.Required || a.Optional || !a.Computed
}

// DecoderSpec turns s into an hcldec spec for decoding a configuration block. Attributes
// that are computed only are left out, so setting one is an "Unsupported argument" error;
// ConfigValue adds them back as null.
func (s *Schema) DecoderSpec() hcldec.Spec {
	spec := hcldec.ObjectSpec{}
	if s == nil {
		return spec
	}
	for name, a := range s.Attributes {
		if !a.Settable() {
			continue
		}
		spec[name] = &hcldec.AttrSpec{Name: name, Type: a.Type, Required: a.Required}
	}
	for name, b := range s.BlockTypes {
		nested := b.Block.DecoderSpec()
		if b.Nesting == NestingList {
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
			continue
		}
		spec[name] = &hcldec.BlockSpec{TypeName: name, Nested: nested, Required: b.MinItems > 0}
	}
	return spec
}

// ConfigValue turns a value decoded with DecoderSpec into a value of ImpliedType, with
// computed-only attributes (and anything else the decoded value lacks) set to null.
// Marks on the decoded value and its parts are kept.
func (s *Schema) ConfigValue(decoded cty.Value) cty.Value {
	ty := s.ImpliedType()
	decoded, marks := decoded.Unmark()
	switch {
	case decoded == cty.NilVal || decoded.IsNull():
		return cty.NullVal(ty).WithMarks(marks)
	case !decoded.IsKnown():
		return cty.UnknownVal(ty).WithMarks(marks)
	case !decoded.Type().IsObjectType():
		// Not something DecoderSpec produced; let the schema check that follows report it.
		return decoded.WithMarks(marks)
	}
	if s == nil {
		return cty.EmptyObjectVal.WithMarks(marks)
	}
	attrs := make(map[string]cty.Value, len(s.Attributes)+len(s.BlockTypes))
	for name, a := range s.Attributes {
		attrs[name] = attrOrNull(decoded, name, a.Type)
	}
	for name, b := range s.BlockTypes {
		attrs[name] = b.configValue(attrOrNull(decoded, name, b.impliedType()))
	}
	return cty.ObjectVal(attrs).WithMarks(marks)
}

func (b *NestedBlock) configValue(decoded cty.Value) cty.Value {
	if b.Nesting != NestingList {
		return b.Block.ConfigValue(decoded)
	}
	ty := b.impliedType()
	decoded, marks := decoded.Unmark()
	switch {
	case decoded.IsNull():
		return cty.NullVal(ty).WithMarks(marks)
	case !decoded.IsKnown():
		return cty.UnknownVal(ty).WithMarks(marks)
	case !decoded.CanIterateElements():
		return decoded.WithMarks(marks)
	case decoded.LengthInt() == 0:
		return cty.ListValEmpty(ty.ElementType()).WithMarks(marks)
	}
	elems := make([]cty.Value, 0, decoded.LengthInt())
	for it := decoded.ElementIterator(); it.Next(); {
		_, elem := it.Element()
		elems = append(elems, b.Block.ConfigValue(elem))
	}
	for _, e := range elems[1:] {
		if !e.Type().Equals(elems[0].Type()) {
			// Dynamically typed attributes made the elements differ; a list cannot hold
			// them, and hcldec makes the same choice.
			return cty.TupleVal(elems).WithMarks(marks)
		}
	}
	return cty.ListVal(elems).WithMarks(marks)
}

func attrOrNull(obj cty.Value, name string, ty cty.Type) cty.Value {
	if obj.Type().HasAttribute(name) {
		return obj.GetAttr(name)
	}
	return cty.NullVal(ty)
}
