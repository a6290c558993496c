package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rampart-sec/rampart/runtime/appliance"
)

// The json name of every HCL field must equal its hcl name: the decoded object is keyed
// by json names, and users write hcl names.
func TestRuntimeConfigNamesMatchJSON(t *testing.T) {
	for _, name := range appliance.Names() {
		kind, _ := appliance.Lookup(name)
		walkConfigStruct(kind.Type, name, func(path string, f taggedField) {
			if f.hclName != f.jsonName {
				t.Errorf("%s: hcl name %q differs from json name %q; runtime/%s/config must use one name for both", path, f.hclName, f.jsonName, name)
			}
		})
	}
}

func walkConfigStruct(t reflect.Type, path string, visit func(string, taggedField)) {
	for _, f := range taggedFields(derefType(t)) {
		fieldPath := path + "." + f.field.Name
		visit(fieldPath, f)
		if f.hclKind == "block" {
			elem := derefType(f.field.Type)
			if elem.Kind() == reflect.Slice {
				elem = derefType(elem.Elem())
			}
			walkConfigStruct(elem, fieldPath, visit)
		}
	}
}

// Every attribute and block of every kind, filled in, must decode strictly into the
// kind's config type: HCL can never produce a field the runtime rejects as unknown.
func TestRuntimeTypeDecodesIntoConfigType(t *testing.T) {
	for _, name := range appliance.Names() {
		t.Run(name, func(t *testing.T) {
			kind, _ := appliance.Lookup(name)
			ty := RuntimeType(name)
			data, err := ctyjson.Marshal(sampleValue(ty), ty)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(reflect.New(kind.Type).Interface()); err != nil {
				t.Fatalf("decode %s into %s: %v", data, kind.Type, err)
			}
		})
	}
}

// sampleValue is a value of ty with every attribute set and one element per collection.
func sampleValue(ty cty.Type) cty.Value {
	switch {
	case ty == cty.String:
		return cty.StringVal("x")
	case ty == cty.Number:
		return cty.NumberIntVal(1)
	case ty == cty.Bool:
		return cty.True
	case ty.IsListType():
		return cty.ListVal([]cty.Value{sampleValue(ty.ElementType())})
	case ty.IsMapType():
		return cty.MapVal(map[string]cty.Value{"k": sampleValue(ty.ElementType())})
	case ty.IsObjectType():
		attrs := map[string]cty.Value{}
		for name, attrTy := range ty.AttributeTypes() {
			attrs[name] = sampleValue(attrTy)
		}
		return cty.ObjectVal(attrs)
	}
	panic("no sample for " + ty.FriendlyName())
}

// The contract between HCL and the runtimes: an example body of each kind decodes with
// RuntimeSpec, passes ValidateRuntime and is accepted by the runtime's own Parse.
func TestRuntimeSpecDecodesExampleOfEveryKind(t *testing.T) {
	for _, name := range appliance.Names() {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata/kinds", name+".hcl"))
			if err != nil {
				t.Fatalf("every appliance kind needs an example in testdata/kinds: %v", err)
			}
			c, diags := Load(writeConfig(t, map[string]string{"main.hcl": string(src)}))
			assertDiags(t, diags, nil)
			if len(c.Appliances) != 1 || c.Appliances[0].Kind != name {
				t.Fatalf("testdata/kinds/%s.hcl must declare exactly one %s", name, name)
			}
			a := c.Appliances[0]
			v, diags := hcldec.Decode(a.Runtime, RuntimeSpec(name), nil)
			assertDiags(t, diags, nil)
			assertDiags(t, ValidateRuntime(a, v), nil)

			data, err := ctyjson.Marshal(v, v.Type())
			if err != nil {
				t.Fatal(err)
			}
			kind, _ := appliance.Lookup(name)
			if _, err := kind.Parse(data); err != nil {
				t.Fatalf("runtime rejects %s: %v", data, err)
			}
			if a.Placement == nil || a.Placement.Type != "local" {
				t.Errorf("placement = %+v, want local", a.Placement)
			}
		})
	}
}

func TestRuntimeSpecOfUnknownKind(t *testing.T) {
	if RuntimeSpec("firewall") != nil || RuntimeType("firewall") != cty.NilType {
		t.Error("an unknown kind must have no spec")
	}
}

func TestRuntimeSpecShapes(t *testing.T) {
	spec, ok := RuntimeSpec("waf").(hcldec.ObjectSpec)
	if !ok {
		t.Fatalf("waf spec is %T, want hcldec.ObjectSpec", RuntimeSpec("waf"))
	}
	pools, ok := spec["server_pool"].(*hcldec.BlockListSpec)
	if !ok {
		t.Fatalf("server_pool is %T, want a block list", spec["server_pool"])
	}
	label, ok := pools.Nested.(hcldec.ObjectSpec)["name"].(*hcldec.BlockLabelSpec)
	if !ok || label.Index != 0 || label.Name != "name" {
		t.Errorf("server_pool name = %#v, want the block's first label", pools.Nested.(hcldec.ObjectSpec)["name"])
	}
	if listen, ok := spec["listen"].(*hcldec.BlockSpec); !ok || listen.Required {
		t.Errorf("listen = %#v, want an optional single block", spec["listen"])
	}
	member := pools.Nested.(hcldec.ObjectSpec)["member"].(*hcldec.BlockListSpec).Nested.(hcldec.ObjectSpec)
	if address := member["address"].(*hcldec.AttrSpec); !address.Required || address.Type != cty.String {
		t.Errorf("member.address = %#v, want a required string", address)
	}
	if weight := member["weight"].(*hcldec.AttrSpec); weight.Required || weight.Type != cty.Number {
		t.Errorf("member.weight = %#v, want an optional number", weight)
	}
}

func TestCtyTypeOfGoTypes(t *testing.T) {
	type inner struct {
		A string `json:"a"`
		B int    `json:"-"`
	}
	cases := []struct {
		goType reflect.Type
		want   cty.Type
	}{
		{reflect.TypeFor[string](), cty.String},
		{reflect.TypeFor[*string](), cty.String},
		{reflect.TypeFor[int64](), cty.Number},
		{reflect.TypeFor[uint16](), cty.Number},
		{reflect.TypeFor[float64](), cty.Number},
		{reflect.TypeFor[bool](), cty.Bool},
		{reflect.TypeFor[[]string](), cty.List(cty.String)},
		{reflect.TypeFor[map[string]int](), cty.Map(cty.Number)},
		{reflect.TypeFor[map[string][]bool](), cty.Map(cty.List(cty.Bool))},
		{reflect.TypeFor[inner](), cty.Object(map[string]cty.Type{"a": cty.String})},
	}
	for _, tc := range cases {
		if got := ctyType(tc.goType); !got.Equals(tc.want) {
			t.Errorf("ctyType(%s) = %s, want %s", tc.goType, got.FriendlyName(), tc.want.FriendlyName())
		}
	}
}
