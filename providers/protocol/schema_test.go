package protocol

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// testPlacementSchema is a placement block with one attribute of each flavour and both
// nesting modes.
func testPlacementSchema() *Schema {
	return &Schema{
		Description: "Runs the appliance as a local process.",
		Attributes: map[string]*Attribute{
			"name":    {Type: cty.String, Required: true, Description: "Process name."},
			"port":    {Type: cty.Number, Optional: true},
			"labels":  {Type: cty.Map(cty.String), Optional: true},
			"address": {Type: cty.String, Computed: true},
			"token":   {Type: cty.String, Optional: true, Computed: true, Sensitive: true},
		},
		BlockTypes: map[string]*NestedBlock{
			"limits": {Nesting: NestingSingle, Block: Schema{Attributes: map[string]*Attribute{
				"memory": {Type: cty.String, Optional: true},
			}}},
			"mount": {Nesting: NestingList, MinItems: 1, MaxItems: 2, Block: Schema{Attributes: map[string]*Attribute{
				"path": {Type: cty.String, Required: true},
				"id":   {Type: cty.String, Computed: true},
			}}},
		},
	}
}

func TestProviderSchemaRoundTrip(t *testing.T) {
	want := &ProviderSchema{
		Provider: &Schema{Attributes: map[string]*Attribute{"host": {Type: cty.String, Optional: true}}},
		Placements: map[string]*PlacementSchema{
			"local": {Block: testPlacementSchema(), Kinds: []string{"waf", "gateway"}, Version: 3},
		},
	}
	wire, err := EncodeProviderSchema(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeProviderSchema(wire)
	if err != nil {
		t.Fatal(err)
	}
	assertSameSchema(t, "provider", got.Provider, want.Provider)
	local := got.Placements["local"]
	if local == nil {
		t.Fatal("placement local missing after round trip")
	}
	if strings.Join(local.Kinds, ",") != "waf,gateway" || local.Version != 3 {
		t.Errorf("placement local: kinds %v version %d, want [waf gateway] 3", local.Kinds, local.Version)
	}
	assertSameSchema(t, "local", local.Block, want.Placements["local"].Block)
}

func assertSameSchema(t *testing.T, at string, got, want *Schema) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Errorf("%s: got %v, want %v", at, got, want)
		}
		return
	}
	if got.Description != want.Description {
		t.Errorf("%s: description %q, want %q", at, got.Description, want.Description)
	}
	if len(got.Attributes) != len(want.Attributes) || len(got.BlockTypes) != len(want.BlockTypes) {
		t.Fatalf("%s: %d attributes and %d blocks, want %d and %d", at,
			len(got.Attributes), len(got.BlockTypes), len(want.Attributes), len(want.BlockTypes))
	}
	for name, w := range want.Attributes {
		g := got.Attributes[name]
		if g == nil || !g.Type.Equals(w.Type) || g.Description != w.Description || g.Required != w.Required ||
			g.Optional != w.Optional || g.Computed != w.Computed || g.Sensitive != w.Sensitive {
			t.Errorf("%s.%s: got %#v, want %#v", at, name, g, w)
		}
	}
	for name, w := range want.BlockTypes {
		g := got.BlockTypes[name]
		if g == nil || g.Nesting != w.Nesting || g.MinItems != w.MinItems || g.MaxItems != w.MaxItems {
			t.Errorf("%s.%s: got %#v, want %#v", at, name, g, w)
			continue
		}
		assertSameSchema(t, at+"."+name, &g.Block, &w.Block)
	}
}

func TestImpliedType(t *testing.T) {
	want := cty.Object(map[string]cty.Type{
		"name":    cty.String,
		"port":    cty.Number,
		"labels":  cty.Map(cty.String),
		"address": cty.String,
		"token":   cty.String,
		"limits":  cty.Object(map[string]cty.Type{"memory": cty.String}),
		"mount":   cty.List(cty.Object(map[string]cty.Type{"path": cty.String, "id": cty.String})),
	})
	if got := testPlacementSchema().ImpliedType(); !got.Equals(want) {
		t.Fatalf("ImpliedType = %#v, want %#v", got, want)
	}
	var none *Schema
	if !none.ImpliedType().Equals(cty.EmptyObject) {
		t.Fatal("a nil schema must imply an empty object")
	}
}

func decodeBlock(t *testing.T, s *Schema, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	file, diags := hclparse.NewParser().ParseHCL([]byte(src), "placement.hcl")
	if diags.HasErrors() {
		t.Fatalf("parse: %s", diags.Error())
	}
	return hcldec.Decode(file.Body, s.DecoderSpec(), nil)
}

func TestDecoderSpecDecodesConfig(t *testing.T) {
	s := testPlacementSchema()
	decoded, diags := decodeBlock(t, s, `
name   = "shop"
labels = { team = "sec" }
limits {
  memory = "512M"
}
mount {
  path = "/srv"
}
`)
	if diags.HasErrors() {
		t.Fatalf("decode: %s", diags.Error())
	}
	got := s.ConfigValue(decoded)
	if !got.Type().Equals(s.ImpliedType()) {
		t.Fatalf("ConfigValue type = %#v, want ImpliedType %#v", got.Type(), s.ImpliedType())
	}
	want := cty.ObjectVal(map[string]cty.Value{
		"name":    cty.StringVal("shop"),
		"port":    cty.NullVal(cty.Number),
		"labels":  cty.MapVal(map[string]cty.Value{"team": cty.StringVal("sec")}),
		"address": cty.NullVal(cty.String),
		"token":   cty.NullVal(cty.String),
		"limits":  cty.ObjectVal(map[string]cty.Value{"memory": cty.StringVal("512M")}),
		"mount": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"path": cty.StringVal("/srv"),
			"id":   cty.NullVal(cty.String),
		})}),
	})
	if !got.RawEquals(want) {
		t.Fatalf("ConfigValue =\n%#v\nwant\n%#v", got, want)
	}
}

func TestConfigValueKeepsMarksAndUnknowns(t *testing.T) {
	s := &Schema{Attributes: map[string]*Attribute{
		"secret":  {Type: cty.String, Optional: true},
		"address": {Type: cty.String, Computed: true},
	}}
	decoded := cty.ObjectVal(map[string]cty.Value{"secret": cty.UnknownVal(cty.String).Mark(SensitiveMark)})
	got := s.ConfigValue(decoded)
	want := cty.ObjectVal(map[string]cty.Value{
		"secret":  cty.UnknownVal(cty.String).Mark(SensitiveMark),
		"address": cty.NullVal(cty.String),
	})
	if !got.RawEquals(want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	if v := s.ConfigValue(cty.NullVal(cty.DynamicPseudoType)); !v.IsNull() || !v.Type().Equals(s.ImpliedType()) {
		t.Fatalf("null config: got %#v, want a typed null", v)
	}
}

func TestDecoderSpecErrors(t *testing.T) {
	tests := map[string]struct {
		src  string
		want []string
	}{
		"misspelled attribute": {
			src:  "nmae = \"shop\"\nmount { path = \"/\" }\n",
			want: []string{`An argument named "nmae" is not expected here. Did you mean "name"?`},
		},
		"computed-only attribute set": {
			src:  "name = \"shop\"\naddress = \"1.2.3.4\"\nmount { path = \"/\" }\n",
			want: []string{`Unsupported argument`, `"address"`},
		},
		"missing required attribute": {
			src:  "mount { path = \"/\" }\n",
			want: []string{`The argument "name" is required`},
		},
		"too few blocks": {
			src:  "name = \"shop\"\n",
			want: []string{`Insufficient mount blocks`},
		},
		"too many blocks": {
			src:  "name = \"shop\"\nmount { path = \"/a\" }\nmount { path = \"/b\" }\nmount { path = \"/c\" }\n",
			want: []string{`Too many mount blocks`},
		},
		"wrong type": {
			src:  "name = \"shop\"\nport = \"eighty\"\nmount { path = \"/\" }\n",
			want: []string{`Incorrect attribute value type`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := decodeBlock(t, testPlacementSchema(), tc.src)
			if !diags.HasErrors() {
				t.Fatal("decode succeeded, want an error")
			}
			var text string
			for _, d := range diags {
				text += d.Summary + ": " + d.Detail + "\n"
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("diagnostics %q do not mention %q", text, w)
				}
			}
		})
	}
}
