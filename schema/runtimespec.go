package schema

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/runtime/appliance"
)

// A runtime's HCL schema is derived from its config struct (runtime/<kind>/config.Config)
// and the struct's tags, so that the config package stays the single definition of what a
// runtime accepts:
//
//	hcl:"name,optional" / hcl:"name,required"  attribute
//	hcl:"name,block"                           nested block: once for a struct or *struct,
//	                                           repeatable for a slice of structs
//	hcl:"name,label"                           the label of the enclosing block
//	hcl:"-" or no hcl tag                      not configurable in HCL
//
// The decoded object's attribute names are the json tag names, so ctyjson of a decoded
// value is exactly the JSON the runtime loads.

// runtimeShape is what the schema package needs to know about one appliance kind.
type runtimeShape struct {
	spec       hcldec.Spec
	blocks     []string // top-level nested block types
	attributes []string // top-level attribute names
}

var (
	shapesMu sync.Mutex
	shapes   = map[string]*runtimeShape{}
)

// RuntimeSpec is the hcldec spec of an appliance kind's runtime body (Appliance.Runtime),
// or nil for an unknown kind. Specs are built once per kind.
func RuntimeSpec(kind string) hcldec.Spec {
	shape := shapeOf(kind)
	if shape == nil {
		return nil
	}
	return shape.spec
}

// RuntimeType is the cty type of a decoded runtime body, or cty.NilType for an unknown kind.
func RuntimeType(kind string) cty.Type {
	spec := RuntimeSpec(kind)
	if spec == nil {
		return cty.NilType
	}
	return hcldec.ImpliedType(spec)
}

func shapeOf(kind string) *runtimeShape {
	shapesMu.Lock()
	defer shapesMu.Unlock()
	if shape, ok := shapes[kind]; ok {
		return shape
	}
	k, ok := appliance.Lookup(kind)
	if !ok {
		return nil
	}
	shape := &runtimeShape{spec: objectSpec(k.Type)}
	for _, f := range taggedFields(k.Type) {
		switch f.hclKind {
		case "block":
			shape.blocks = append(shape.blocks, f.hclName)
		case "optional", "required":
			shape.attributes = append(shape.attributes, f.hclName)
		}
	}
	shapes[kind] = shape
	return shape
}

// taggedField is a struct field that appears in HCL.
type taggedField struct {
	field    reflect.StructField
	hclName  string
	hclKind  string // optional, required, block, label
	jsonName string
}

// taggedFields lists the HCL-visible fields of a struct type. Config types are code, not
// input, so a malformed tag is a programming error and panics; the tests over every
// appliance kind catch it before a release.
func taggedFields(t reflect.Type) []taggedField {
	var fields []taggedField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("hcl")
		if !ok || tag == "-" {
			continue
		}
		name, kind, _ := strings.Cut(tag, ",")
		switch kind {
		case "optional", "required", "block", "label":
		default:
			panic(fmt.Sprintf("schema: %s.%s: hcl tag %q needs one of optional, required, block, label", t, f.Name, tag))
		}
		fields = append(fields, taggedField{field: f, hclName: name, hclKind: kind, jsonName: jsonName(f)})
	}
	return fields
}

// jsonName is the name encoding/json uses for a field.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func objectSpec(t reflect.Type) hcldec.ObjectSpec {
	spec := hcldec.ObjectSpec{}
	labels := 0
	for _, f := range taggedFields(t) {
		switch f.hclKind {
		case "label":
			spec[f.jsonName] = &hcldec.BlockLabelSpec{Index: labels, Name: f.hclName}
			labels++
		case "optional", "required":
			spec[f.jsonName] = &hcldec.AttrSpec{Name: f.hclName, Type: ctyType(f.field.Type), Required: f.hclKind == "required"}
		case "block":
			spec[f.jsonName] = blockSpec(f.hclName, f.field.Type)
		}
	}
	return spec
}

func blockSpec(name string, t reflect.Type) hcldec.Spec {
	if t.Kind() == reflect.Slice {
		elem := derefType(t.Elem())
		if elem.Kind() != reflect.Struct {
			panic(fmt.Sprintf("schema: block %q must be a struct or a slice of structs, not %s", name, t))
		}
		return &hcldec.BlockListSpec{TypeName: name, Nested: objectSpec(elem)}
	}
	t = derefType(t)
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("schema: block %q must be a struct or a slice of structs, not %s", name, t))
	}
	return &hcldec.BlockSpec{TypeName: name, Nested: objectSpec(t)}
}

// ctyType maps the Go type of an attribute to the cty type HCL converts its value to.
func ctyType(t reflect.Type) cty.Type {
	t = derefType(t)
	switch t.Kind() {
	case reflect.String:
		return cty.String
	case reflect.Bool:
		return cty.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return cty.Number
	case reflect.Slice, reflect.Array:
		return cty.List(ctyType(t.Elem()))
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("schema: map attribute type %s needs string keys", t))
		}
		return cty.Map(ctyType(t.Elem()))
	case reflect.Struct:
		attrs := map[string]cty.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			attrs[jsonName(f)] = ctyType(f.Type)
		}
		return cty.Object(attrs)
	case reflect.Interface:
		return cty.DynamicPseudoType
	}
	panic(fmt.Sprintf("schema: no HCL type for Go type %s", t))
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
