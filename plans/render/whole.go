package render

import (
	"github.com/zclconf/go-cty/cty"
)

// whole writes all of v, every opening line marked sym: a created attribute (+), a
// destroyed one (-), or state (no symbol). name is the padded attribute name, or "" for
// a list element, which gets a trailing comma.
func (p *printer) whole(level int, sym, name string, v cty.Value, path cty.Path, inList bool) {
	head, comma := "", ""
	if name != "" {
		head = name + " = "
	}
	if inList {
		comma = ","
	}
	v = orNull(v)
	plain, _ := v.Unmark()
	switch {
	case v.HasMark(sensitiveMark) || !plain.IsKnown() || isNullish(plain) || plain.Type().IsPrimitiveType():
		p.line(level, sym, head+Value(v)+comma+p.forces(path))
	case isMapping(plain.Type()):
		p.line(level, sym, head+"{"+p.forces(path))
		p.wholeChildren(level+1, sym, plain, path)
		p.line(level, "", "}"+comma)
	case isSequence(plain.Type()):
		p.line(level, sym, head+"["+p.forces(path))
		for i, e := range elements(plain) {
			p.whole(level+1, sym, "", e, path.Index(cty.NumberIntVal(int64(i))), true)
		}
		p.line(level, "", "]"+comma)
	default:
		p.line(level, sym, head+Value(v)+comma+p.forces(path))
	}
}

// wholeChildren writes the attributes of an object or entries of a map, leaving out
// null attributes, which say nothing.
func (p *printer) wholeChildren(level int, sym string, v cty.Value, path cty.Path) {
	ty := v.Type()
	var names []string
	width := 0
	for _, k := range keys(v) {
		if ty.IsObjectType() && child(v, k).IsNull() {
			continue
		}
		names = append(names, k)
		width = max(width, len(keyName(ty, k)))
	}
	for _, k := range names {
		p.whole(level, sym, pad(keyName(ty, k), width), child(v, k), childPath(path, ty, k), false)
	}
}

// block writes a nested block such as `placement "local" { ... }` entirely.
func (p *printer) block(level int, sym, label string, v cty.Value, path cty.Path) {
	plain, _ := v.Unmark()
	if v.HasMark(sensitiveMark) || !plain.IsKnown() || !plain.Type().IsObjectType() {
		p.line(level, sym, label+" = "+Value(v)+p.forces(path))
		return
	}
	p.line(level, sym, label+" {"+p.forces(path))
	p.wholeChildren(level+1, sym, plain, path)
	p.line(level, "", "}")
}

// childPath extends path to attribute or map key k of a value of type ty.
func childPath(path cty.Path, ty cty.Type, k string) cty.Path {
	if ty.IsMapType() {
		return path.Index(cty.StringVal(k))
	}
	return path.GetAttr(k)
}
