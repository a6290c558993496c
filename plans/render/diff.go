package render

import (
	"github.com/zclconf/go-cty/cty"
)

// diff writes how one attribute (name, padded) or list element (name "") changes from
// before to after. Callers skip what is the same; see same.
func (p *printer) diff(level int, name string, before, after cty.Value, path cty.Path, inList bool) {
	head, comma := "", ""
	if name != "" {
		head = name + " = "
	}
	if inList {
		comma = ","
	}
	before, after = orNull(before), orNull(after)
	b, _ := before.Unmark()
	a, _ := after.Unmark()
	switch {
	case isNullish(before):
		p.whole(level, "+", name, after, path, inList)
	case isNullish(after) && a.IsKnown():
		p.whole(level, "-", name, before, path, inList)
	case before.HasMark(sensitiveMark) || after.HasMark(sensitiveMark):
		p.line(level, "~", head+sensitiveText+comma+p.forces(path))
	case !a.IsKnown() || !b.IsKnown():
		p.line(level, "~", head+Value(before)+" -> "+Value(after)+comma+p.forces(path))
	case isMapping(a.Type()) && isMapping(b.Type()):
		p.line(level, "~", head+"{"+p.forces(path))
		p.diffChildren(level+1, b, a, path)
		p.line(level, "", "}"+comma)
	case isSequence(a.Type()) && isSequence(b.Type()):
		p.line(level, "~", head+"["+p.forces(path))
		p.diffElements(level+1, b, a, path)
		p.line(level, "", "]"+comma)
	default:
		p.line(level, "~", head+Value(before)+" -> "+Value(after)+comma+p.forces(path))
	}
}

// diffChildren writes the changed attributes of two objects (or entries of two maps)
// and one line counting the unchanged ones. Attributes null on both sides are not counted.
func (p *printer) diffChildren(level int, before, after cty.Value, path cty.Path) {
	ty := after.Type()
	if !isMapping(ty) {
		ty = before.Type()
	}
	var changed []string
	unchanged, width := 0, 0
	for _, k := range unionKeys(before, after) {
		b, a := child(before, k), child(after, k)
		if same(b, a) {
			if !isNullish(b) {
				unchanged++
			}
			continue
		}
		changed = append(changed, k)
		width = max(width, len(keyName(ty, k)))
	}
	for _, k := range changed {
		p.diff(level, pad(keyName(ty, k), width), child(before, k), child(after, k), childPath(path, ty, k), false)
	}
	noun := "attribute"
	if ty.IsMapType() {
		noun = "element"
	}
	p.hidden(level, unchanged, noun)
}

// diffElements writes how the elements of a list, set or tuple change: removed ones
// with -, added ones with +, and an object replaced at the same place as an update of
// that object, so a changed port in one site does not read as a whole new site.
func (p *printer) diffElements(level int, before, after cty.Value, path cty.Path) {
	be, ae := elements(before), elements(after)
	kept := 0
	for _, run := range alignElements(be, ae) {
		if run.kept {
			kept++
			continue
		}
		paired := min(len(run.removed), len(run.added))
		for j := range paired {
			b, a := be[run.removed[j]], ae[run.added[j]]
			if !bothMappings(b, a) {
				paired = j
				break
			}
		}
		for j := range paired {
			p.diff(level, "", be[run.removed[j]], ae[run.added[j]], indexPath(path, run.added[j]), true)
		}
		for _, i := range run.removed[paired:] {
			p.whole(level, "-", "", be[i], indexPath(path, i), true)
		}
		for _, i := range run.added[paired:] {
			p.whole(level, "+", "", ae[i], indexPath(path, i), true)
		}
	}
	p.hidden(level, kept, "element")
}

func bothMappings(a, b cty.Value) bool {
	ua, _ := a.Unmark()
	ub, _ := b.Unmark()
	return ua.IsKnown() && ub.IsKnown() && !ua.IsNull() && !ub.IsNull() &&
		!a.HasMark(sensitiveMark) && !b.HasMark(sensitiveMark) && isMapping(ua.Type()) && isMapping(ub.Type())
}

func indexPath(path cty.Path, i int) cty.Path {
	return path.Index(cty.NumberIntVal(int64(i)))
}
