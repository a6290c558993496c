// Package render turns plans into what people and tools read: the human diff of
// `rampart plan` (Plan), its JSON form for CI and policy tools (PlanJSON), and an
// HCL-like rendering of single values (Value) and of instances (Instance) that the state
// commands reuse. Sensitive values are always shown as (sensitive), never their content.
package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// sensitiveMark is the cty mark of sensitive values. It is protocol.SensitiveMark; plans
// may not import providers, so the string is repeated here.
const sensitiveMark = "sensitive"

const (
	unknownText   = "(known after apply)"
	sensitiveText = "(sensitive)"
)

// Value renders v on one line in HCL syntax: "shop", 8080, ["a", "b"], { http = 80 }.
// Unknown values read (known after apply) and sensitive ones (sensitive), at any depth.
func Value(v cty.Value) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v cty.Value) {
	if v == cty.NilVal {
		b.WriteString("null")
		return
	}
	if v.HasMark(sensitiveMark) {
		b.WriteString(sensitiveText)
		return
	}
	v, _ = v.Unmark()
	switch {
	case !v.IsKnown():
		b.WriteString(unknownText)
	case v.IsNull():
		b.WriteString("null")
	case v.Type() == cty.String:
		b.WriteString(quote(v.AsString()))
	case v.Type() == cty.Number:
		b.WriteString(v.AsBigFloat().Text('f', -1))
	case v.Type() == cty.Bool:
		fmt.Fprint(b, v.True())
	case isSequence(v.Type()):
		b.WriteString("[")
		for i, e := range elements(v) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e)
		}
		b.WriteString("]")
	case v.Type().IsObjectType() || v.Type().IsMapType():
		if v.LengthInt() == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, name := range keys(v) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(keyName(v.Type(), name) + " = ")
			writeValue(b, child(v, name))
		}
		b.WriteString(" }")
	default:
		b.WriteString(v.GoString())
	}
}

// quote writes s as an HCL string literal; ${ and %{ are escaped so the text reads back
// as itself, not as a template.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func isSequence(ty cty.Type) bool {
	return ty.IsListType() || ty.IsSetType() || ty.IsTupleType()
}

// elements returns the elements of a known, non-null list, set or tuple.
func elements(v cty.Value) []cty.Value {
	out := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

// keys returns the sorted attribute names of an object or keys of a map.
func keys(v cty.Value) []string {
	var out []string
	if v.Type().IsObjectType() {
		for name := range v.Type().AttributeTypes() {
			out = append(out, name)
		}
	} else if v.IsKnown() && !v.IsNull() {
		for it := v.ElementIterator(); it.Next(); {
			k, _ := it.Element()
			out = append(out, k.AsString())
		}
	}
	sort.Strings(out)
	return out
}

// child returns attribute or map element name of v, or a null when v has none.
func child(v cty.Value, name string) cty.Value {
	ty := v.Type()
	switch {
	case ty.IsObjectType() && ty.HasAttribute(name):
		if v.IsNull() {
			return cty.NullVal(ty.AttributeType(name))
		}
		return v.GetAttr(name)
	case ty.IsMapType():
		if !v.IsNull() && v.HasIndex(cty.StringVal(name)).True() {
			return v.Index(cty.StringVal(name))
		}
		return cty.NullVal(ty.ElementType())
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// keyName is how an attribute or map key is written: map keys are always quoted, as in
// Terraform; attribute names only when they are not identifiers.
func keyName(ty cty.Type, name string) string {
	if ty.IsMapType() || !isIdentifier(name) {
		return quote(name)
	}
	return name
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '-' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return true
}
