package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// decodeCtyJSON decodes data, a value of type ty in cty's JSON form, to exactly the value
// ctyjson.Unmarshal(data, ty) returns, or fails where it fails. Loading state is most of
// a no-change plan's start-up, and ctyjson reads every nested value through
// encoding/json's token API several times over (each level re-reads its raw bytes);
// this decoder reads the bytes once, directed by the type.
//
// It follows ctyjson where ctyjson is lenient: bytes after the first complete value are
// ignored; strings convert to numbers and bools, numbers and bools to strings; missing
// object attributes are null. It fails where ctyjson would panic (a collection whose
// elements' dynamic types differ). Errors are cty.PathErrors whose message names the path.
func decodeCtyJSON(data []byte, ty cty.Type) (cty.Value, error) {
	d := ctyDecoder{jsonScanner: jsonScanner{data: data}}
	return d.value(ty, nil)
}

// ctyDecoder is one decoding of a value. tree, when set, lists the sensitive paths to mark
// and the sealed values to open.
type ctyDecoder struct {
	jsonScanner
	steps []pathStep // where the value being decoded sits, for error messages
	// open returns the JSON of the sealed value found at a seal root.
	open func(sealed []byte, root cty.Path) ([]byte, error)
}

// pathStep is one step of steps; it becomes a cty.PathStep only when an error needs it,
// as building cty index keys for every element would cost an allocation each.
type pathStep struct {
	kind     stepKind
	name     string   // attribute name or map key
	index    int      // list or tuple index
	elemType cty.Type // set elements have no key; cty names them by an unknown of this type
}

type stepKind uint8

const (
	stepAttr stepKind = iota
	stepKey
	stepIndex
	stepSetElem
)

func (d *ctyDecoder) push(s pathStep) { d.steps = append(d.steps, s) }
func (d *ctyDecoder) pop()            { d.steps = d.steps[:len(d.steps)-1] }

// path is the cty.Path of steps.
func (d *ctyDecoder) path() cty.Path {
	p := make(cty.Path, 0, len(d.steps))
	for _, s := range d.steps {
		switch s.kind {
		case stepAttr:
			p = append(p, cty.GetAttrStep{Name: s.name})
		case stepKey:
			p = append(p, cty.IndexStep{Key: cty.StringVal(s.name)})
		case stepIndex:
			p = append(p, cty.IndexStep{Key: cty.NumberIntVal(int64(s.index))})
		case stepSetElem:
			p = append(p, cty.IndexStep{Key: cty.UnknownVal(s.elemType)})
		}
	}
	return p
}

// where renders steps for a message: runtime.site[0].policy.mode.
func (d *ctyDecoder) where() string {
	var b strings.Builder
	for _, s := range d.steps {
		switch s.kind {
		case stepAttr:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		case stepKey:
			fmt.Fprintf(&b, "[%q]", s.name)
		case stepIndex:
			fmt.Fprintf(&b, "[%d]", s.index)
		case stepSetElem:
			b.WriteString("[set element]")
		}
	}
	return b.String()
}

// fail returns err as a cty.PathError at the current path, its message naming the path.
func (d *ctyDecoder) fail(err error) error {
	if where := d.where(); where != "" {
		err = fmt.Errorf("%s: %w", where, err)
	}
	return d.path().NewError(err)
}

func (d *ctyDecoder) failf(format string, args ...any) error {
	return d.fail(fmt.Errorf(format, args...))
}

// value decodes the value at the current position, opening it when it is sealed and
// marking it when it is sensitive.
func (d *ctyDecoder) value(ty cty.Type, n *pathNode) (cty.Value, error) {
	d.skipSpace()
	var v cty.Value
	var err error
	if n != nil && n.sealed {
		v, err = d.sealed(ty, n)
	} else {
		v, err = d.content(ty, n)
	}
	if err != nil {
		return cty.NilVal, err
	}
	if n != nil && n.sensitive {
		v = v.Mark(protocol.SensitiveMark)
	}
	return v, nil
}

// sealed opens the sealed value at the current position and decodes what it holds.
func (d *ctyDecoder) sealed(ty cty.Type, n *pathNode) (cty.Value, error) {
	start, err := d.skipValue()
	if err != nil {
		return cty.NilVal, d.fail(err)
	}
	if d.open == nil {
		return cty.NilVal, fmt.Errorf("sensitive value at %v: sealed values cannot be opened here", plans.PathToJSON(n.path))
	}
	plain, err := d.open(d.data[start:d.pos], n.path)
	if err != nil {
		return cty.NilVal, fmt.Errorf("sensitive value at %v: %w", plans.PathToJSON(n.path), err)
	}
	n.opened = true
	inner := ctyDecoder{jsonScanner: jsonScanner{data: plain}, steps: append([]pathStep(nil), d.steps...), open: d.open}
	inner.skipSpace()
	return inner.content(ty, n)
}

// content decodes the value at the current position, after any whitespace.
func (d *ctyDecoder) content(ty cty.Type, n *pathNode) (cty.Value, error) {
	c := d.skipSpace()
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return cty.NilVal, d.fail(err)
		}
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.DynamicPseudoType:
		return d.dynamic(n)
	case ty.IsPrimitiveType():
		return d.primitive(c, ty)
	case ty.IsListType():
		return d.list(c, ty.ElementType(), n)
	case ty.IsSetType():
		return d.set(c, ty.ElementType(), n)
	case ty.IsMapType():
		return d.mapValue(c, ty.ElementType(), n)
	case ty.IsTupleType():
		return d.tuple(c, ty.TupleElementTypes(), n)
	case ty.IsObjectType():
		return d.object(c, ty.AttributeTypes(), n)
	case ty.IsCapsuleType():
		return d.capsule(ty)
	}
	return cty.NilVal, d.failf("unsupported type %s", ty.FriendlyName())
}

// primitive decodes a string, number or bool, converting between them as ctyjson does.
func (d *ctyDecoder) primitive(c byte, ty cty.Type) (cty.Value, error) {
	var v cty.Value // the JSON value as it is
	var numberText string
	switch {
	case c == '"':
		s, err := d.str()
		if err != nil {
			return cty.NilVal, d.fail(err)
		}
		if ty == cty.Number {
			n, err := cty.ParseNumberVal(s)
			if err != nil {
				return cty.NilVal, d.fail(err)
			}
			return n, nil
		}
		v = cty.StringVal(s)
	case c == 't' || c == 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if err := d.literal(word); err != nil {
			return cty.NilVal, d.fail(err)
		}
		v = cty.BoolVal(c == 't')
	case c == '-' || isDigit(c):
		text, err := d.number()
		if err != nil {
			return cty.NilVal, d.fail(err)
		}
		numberText = text
	case c == '{' || c == '[':
		return cty.NilVal, d.failf("%s is required", ty.FriendlyName())
	default:
		return cty.NilVal, d.fail(d.errorf("expected a value, found %s", d.describe()))
	}

	switch ty {
	case cty.Number:
		if numberText == "" {
			return cty.NilVal, d.failf("number is required")
		}
		n, err := cty.ParseNumberVal(numberText)
		if err != nil {
			return cty.NilVal, d.fail(err)
		}
		return n, nil
	case cty.String:
		if numberText != "" {
			return cty.StringVal(numberText), nil // the number's text as written
		}
	case cty.Bool:
		if numberText != "" {
			return cty.NilVal, d.failf("bool is required")
		}
	}
	if v.Type() == ty {
		return v, nil
	}
	converted, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, d.fail(err)
	}
	return converted, nil
}

// elements decodes the elements of a JSON array, each with the type and path node elem
// gives for its index.
func (d *ctyDecoder) elements(c byte, step pathStep, elem func(i int) (cty.Type, *pathNode, error)) ([]cty.Value, error) {
	if c != '[' {
		return nil, d.failf("missing expected [")
	}
	d.pos++
	var vals []cty.Value
	if d.skipSpace() == ']' {
		d.pos++
		return vals, nil
	}
	for i := 0; ; i++ {
		ety, n, err := elem(i)
		if err != nil {
			return nil, err
		}
		step.index = i
		d.push(step)
		v, err := d.value(ety, n)
		d.pop()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		switch d.skipSpace() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return vals, nil
		default:
			return nil, d.fail(d.errorf("expected ',' or ']' after array element, found %s", d.describe()))
		}
	}
}

func (d *ctyDecoder) list(c byte, ety cty.Type, n *pathNode) (cty.Value, error) {
	vals, err := d.elements(c, pathStep{kind: stepIndex}, func(i int) (cty.Type, *pathNode, error) {
		return ety, n.index(i), nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) == 0 {
		return cty.ListValEmpty(ety), nil
	}
	if !cty.CanListVal(vals) {
		return cty.NilVal, d.failf("list elements have different types")
	}
	return cty.ListVal(vals), nil
}

// set decodes a set. Paths below a set cannot be followed element by element (set
// elements have no index), so marks below it are applied as MarkWithPaths applies them.
func (d *ctyDecoder) set(c byte, ety cty.Type, n *pathNode) (cty.Value, error) {
	if root := n.sealedBelow(); root != nil {
		return cty.NilVal, fmt.Errorf("sensitive value at %v: cannot index a set", plans.PathToJSON(root.path))
	}
	vals, err := d.elements(c, pathStep{kind: stepSetElem, elemType: ety}, func(int) (cty.Type, *pathNode, error) {
		return ety, nil, nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) == 0 {
		return cty.SetValEmpty(ety), nil
	}
	if !cty.CanSetVal(vals) {
		return cty.NilVal, d.failf("set elements have different types")
	}
	v := cty.SetVal(vals)
	if n.hasChildren() {
		v = v.MarkWithPaths(n.marksBelow())
	}
	return v, nil
}

func (d *ctyDecoder) tuple(c byte, etys []cty.Type, n *pathNode) (cty.Value, error) {
	vals, err := d.elements(c, pathStep{kind: stepIndex}, func(i int) (cty.Type, *pathNode, error) {
		if i >= len(etys) {
			return cty.NilType, nil, d.failf("too many tuple elements (need %d)", len(etys))
		}
		return etys[i], n.index(i), nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) != len(etys) {
		return cty.NilVal, d.failf("not enough tuple elements (need %d)", len(etys))
	}
	if len(vals) == 0 {
		return cty.EmptyTupleVal, nil
	}
	return cty.TupleVal(vals), nil
}

// members decodes the members of a JSON object, calling member for each with the
// scanner at its value.
func (d *ctyDecoder) members(c byte, member func(key string) error) error {
	if c != '{' {
		return d.failf("missing expected {")
	}
	d.pos++
	if d.skipSpace() == '}' {
		d.pos++
		return nil
	}
	for {
		if d.skipSpace() != '"' {
			return d.fail(d.errorf("expected an object key, found %s", d.describe()))
		}
		key, err := d.str()
		if err != nil {
			return d.fail(err)
		}
		if err := d.expect(':', "':' after object key"); err != nil {
			return d.fail(err)
		}
		if err := member(key); err != nil {
			return err
		}
		switch d.skipSpace() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.fail(d.errorf("expected ',' or '}' after object value, found %s", d.describe()))
		}
	}
}

func (d *ctyDecoder) mapValue(c byte, ety cty.Type, n *pathNode) (cty.Value, error) {
	vals := map[string]cty.Value{}
	err := d.members(c, func(key string) error {
		child := n.key(key)
		if child != nil && cty.NormalizeString(key) != key {
			// A key cty normalises names the same element for marks, but the element is
			// not where a sealed value is looked up: rampart writes keys normalised.
			if root := child.sealedBelow(); root != nil || child.sealed {
				if root == nil {
					root = child
				}
				return fmt.Errorf("sensitive value at %v: expected a sealed value", plans.PathToJSON(root.path))
			}
		}
		d.push(pathStep{kind: stepKey, name: key})
		v, err := d.value(ety, child)
		d.pop()
		// cty normalises map keys; two keys that normalise alike are one key, the last
		// one written wins, as with a key written twice.
		vals[cty.NormalizeString(key)] = v
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) == 0 {
		return cty.MapValEmpty(ety), nil
	}
	if !cty.CanMapVal(vals) {
		return cty.NilVal, d.failf("map elements have different types")
	}
	return cty.MapVal(vals), nil
}

func (d *ctyDecoder) object(c byte, atys map[string]cty.Type, n *pathNode) (cty.Value, error) {
	vals := make(map[string]cty.Value, len(atys))
	err := d.members(c, func(key string) error {
		aty, ok := atys[key]
		if !ok {
			return d.failf("unsupported attribute %q", key)
		}
		d.push(pathStep{kind: stepAttr, name: key})
		v, err := d.value(aty, n.attr(key))
		d.pop()
		vals[key] = v
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) < len(atys) {
		for name, aty := range atys {
			if _, ok := vals[name]; !ok {
				v := cty.NullVal(aty)
				if a := n.attr(name); a != nil && a.sensitive {
					v = v.Mark(protocol.SensitiveMark)
				}
				vals[name] = v
			}
		}
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, nil
	}
	return cty.ObjectVal(vals), nil
}

// dynamic decodes a value of a dynamic type, which ctyjson writes with its type:
// {"value": ..., "type": ...}.
func (d *ctyDecoder) dynamic(n *pathNode) (cty.Value, error) {
	var ty cty.Type
	valueAt := -1
	err := d.members(d.skipSpace(), func(key string) error {
		start, err := d.skipValue()
		if err != nil {
			return d.fail(err)
		}
		switch key {
		case "type":
			if err := json.Unmarshal(d.data[start:d.pos], &ty); err != nil {
				return d.failf("failed to decode type for dynamic value: %s", err)
			}
		case "value":
			valueAt = start
		default:
			return d.failf("invalid key %q in dynamically-typed value", key)
		}
		return nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	if ty == cty.NilType {
		return cty.NilVal, d.failf("missing type in dynamically-typed value")
	}
	if valueAt < 0 {
		return cty.NilVal, d.failf("missing value in dynamically-typed value")
	}
	end := d.pos
	d.pos = valueAt
	v, err := d.content(ty, n)
	d.pos = end
	return v, err
}

// capsule values cannot come from a state document (cty's JSON type syntax has no
// capsules); they are decoded by ctyjson itself, for completeness.
func (d *ctyDecoder) capsule(ty cty.Type) (cty.Value, error) {
	start, err := d.skipValue()
	if err != nil {
		return cty.NilVal, d.fail(err)
	}
	v, err := ctyjson.Unmarshal(d.data[start:d.pos], ty)
	if err != nil {
		var pathErr cty.PathError
		if errors.As(err, &pathErr) {
			return cty.NilVal, d.fail(pathErr)
		}
		return cty.NilVal, d.fail(err)
	}
	return v, nil
}
