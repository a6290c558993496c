package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// placementAttr is the attribute of an instance value holding its placement, which the
// renderers show as the block it is written as: placement "local" { ... }.
const placementAttr = "placement"

// Instance writes an appliance instance's value (an object with "runtime" and
// "placement") as an HCL-like block without change symbols, for `rampart state show`:
//
//	waf "shop" {
//	    runtime = {
//	        listen = {
//	            http = 8080
//	        }
//	    }
//	    placement "local" {
//	        pid = 4242
//	    }
//	}
func Instance(w io.Writer, address, kind, placement string, v cty.Value) error {
	p := &printer{}
	p.line(0, "", blockHeader(address, kind)+" {")
	p.instanceWhole(1, "", placement, v)
	p.line(0, "", "}")
	return p.flush(w)
}

// blockHeader turns waf.edge["eu"] into `waf "edge"`; the full address is in the comment
// above it.
func blockHeader(address, kind string) string {
	rest := address
	if kind != "" && strings.HasPrefix(address, kind+".") {
		rest = strings.TrimPrefix(address, kind+".")
	} else if k, r, ok := strings.Cut(address, "."); ok {
		kind, rest = k, r
	}
	if i := strings.IndexByte(rest, '['); i >= 0 {
		rest = rest[:i]
	}
	return fmt.Sprintf("%s %s", kind, quote(rest))
}

// instanceAttrs returns the attribute names of an instance value in display order: the
// runtime settings first, the placement block last.
func instanceAttrs(before, after cty.Value) []string {
	names := unionKeys(before, after)
	sort.SliceStable(names, func(i, j int) bool { return names[j] == placementAttr && names[i] != placementAttr })
	return names
}

func placementLabel(placement string) string {
	if placement == "" {
		return ""
	}
	return placementAttr + " " + quote(placement)
}

// instanceWhole writes every attribute of an instance value, marked sym.
func (p *printer) instanceWhole(level int, sym, placement string, v cty.Value) {
	v = orNull(v)
	plain, _ := v.Unmark()
	if v.HasMark(sensitiveMark) || !plain.IsKnown() || !plain.Type().IsObjectType() {
		if !plain.IsNull() {
			p.line(level, sym, Value(v))
		}
		return
	}
	width := 0
	var names []string
	for _, name := range instanceAttrs(plain, plain) {
		if child(plain, name).IsNull() {
			continue
		}
		names = append(names, name)
		if name != placementAttr || placement == "" {
			width = max(width, len(keyName(plain.Type(), name)))
		}
	}
	for _, name := range names {
		path := cty.GetAttrPath(name)
		if name == placementAttr && placement != "" {
			p.block(level, sym, placementLabel(placement), child(plain, name), path)
			continue
		}
		p.whole(level, sym, pad(keyName(plain.Type(), name), width), child(plain, name), path, false)
	}
}

// instanceDiff writes the changed attributes of an instance and counts the unchanged.
func (p *printer) instanceDiff(level int, placement string, before, after cty.Value) {
	b, _ := orNull(before).Unmark()
	a, _ := orNull(after).Unmark()
	if !isMapping(b.Type()) || !isMapping(a.Type()) || !a.IsKnown() || !b.IsKnown() {
		p.diff(level, "", before, after, nil, false)
		return
	}
	var changed []string
	unchanged, width := 0, 0
	for _, name := range instanceAttrs(b, a) {
		if same(child(b, name), child(a, name)) {
			if !isNullish(child(b, name)) {
				unchanged++
			}
			continue
		}
		changed = append(changed, name)
		if name != placementAttr || placement == "" {
			width = max(width, len(name))
		}
	}
	for _, name := range changed {
		path := cty.GetAttrPath(name)
		if name == placementAttr && placement != "" {
			p.blockDiff(level, placementLabel(placement), child(b, name), child(a, name), path)
			continue
		}
		p.diff(level, pad(keyName(a.Type(), name), width), child(b, name), child(a, name), path, false)
	}
	p.hidden(level, unchanged, "attribute")
}

// blockDiff writes the change of a nested block such as the placement.
func (p *printer) blockDiff(level int, label string, before, after cty.Value, path cty.Path) {
	b, _ := before.Unmark()
	a, _ := after.Unmark()
	switch {
	case isNullish(before):
		p.block(level, "+", label, after, path)
	case isNullish(after) && a.IsKnown():
		p.block(level, "-", label, before, path)
	case before.HasMark(sensitiveMark) || after.HasMark(sensitiveMark) || !a.IsKnown() || !b.IsKnown() ||
		!isMapping(a.Type()) || !isMapping(b.Type()):
		p.diff(level, label, before, after, path, false)
	default:
		p.line(level, "~", label+" {"+p.forces(path))
		p.diffChildren(level+1, b, a, path)
		p.line(level, "", "}")
	}
}
