package schema

import (
	"reflect"
	"sync"

	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// MarkSensitive marks the values of runtime settings that are secrets by nature (a field
// tagged `sensitive:"true"` in runtime/<kind>/config, such as a TLS private key or its
// passphrase), whether or not the user marked them: they then show as (sensitive) in plans
// and are only ever stored encrypted in state.
func MarkSensitive(kind string, v cty.Value) cty.Value {
	marked, _ := markKind(kind, v)
	return marked
}

// LacksSensitiveMarks reports whether MarkSensitive would add a mark to v: false means
// v can be used as it is, without building a marked copy.
func LacksSensitiveMarks(kind string, v cty.Value) bool {
	_, changed := markKind(kind, v)
	return changed
}

func markKind(kind string, v cty.Value) (cty.Value, bool) {
	k, ok := appliance.Lookup(kind)
	if !ok {
		return v, false
	}
	return markStruct(k.Type, v)
}

// hasSecrets caches, per config type, whether any field below it is tagged sensitive:
// MarkSensitive runs for every instance of every plan, and most blocks hold no secret,
// so those subtrees are skipped without being walked.
var hasSecrets sync.Map // reflect.Type → bool

func containsSecrets(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	if v, ok := hasSecrets.Load(t); ok {
		return v.(bool)
	}
	found := false
	for _, f := range taggedFields(t) {
		if f.field.Tag.Get("sensitive") == "true" || (f.hclKind == "block" && containsSecrets(f.field.Type)) {
			found = true
			break
		}
	}
	hasSecrets.Store(t, found)
	return found
}

// markStruct marks the secret fields of v, whose fields t describes, and says whether
// it added any mark (if not, v is returned as it is).
func markStruct(t reflect.Type, v cty.Value) (cty.Value, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !containsSecrets(t) {
		return v, false
	}
	var attrs map[string]cty.Value
	for _, f := range taggedFields(t) {
		if f.hclKind == "label" || !v.Type().HasAttribute(f.hclName) {
			continue
		}
		child := v.GetAttr(f.hclName)
		var marked cty.Value
		switch {
		case f.field.Tag.Get("sensitive") == "true":
			if child.IsNull() || child.HasMark(SensitiveMark) {
				continue
			}
			marked = child.Mark(SensitiveMark)
		case f.hclKind == "block" && containsSecrets(f.field.Type):
			var changed bool
			if marked, changed = markNested(f.field.Type, child); !changed {
				continue
			}
		default:
			continue
		}
		if attrs == nil {
			attrs = v.AsValueMap()
		}
		attrs[f.hclName] = marked
	}
	if attrs == nil {
		return v, false
	}
	return cty.ObjectVal(attrs), true
}

// markNested descends into nested blocks: a struct, or a list of structs.
func markNested(t reflect.Type, v cty.Value) (cty.Value, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct:
		return markStruct(t, v)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() || v.LengthInt() == 0 {
			return v, false
		}
		elems := make([]cty.Value, 0, v.LengthInt())
		changed := false
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			m, c := markStruct(t.Elem(), e)
			changed = changed || c
			elems = append(elems, m)
		}
		if !changed {
			return v, false
		}
		if v.Type().IsTupleType() {
			return cty.TupleVal(elems), true
		}
		return cty.ListVal(elems), true
	}
	return v, false
}
