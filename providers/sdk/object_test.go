package sdk

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestShape(t *testing.T) {
	s := Shape{
		Type:     cty.Object(map[string]cty.Type{"image": cty.String, "id": cty.String}),
		User:     []string{"image"},
		Computed: []string{"id"},
	}
	config := cty.ObjectVal(map[string]cty.Value{"image": cty.StringVal("waf:1")})
	planned := s.Value(config, nil)
	if planned.GetAttr("id").IsKnown() {
		t.Error("a computed attribute not given is known, want unknown (known after apply)")
	}
	applied := s.Value(config, map[string]cty.Value{"id": cty.StringVal("c0ffee")})
	if got := s.String(applied, "id"); got != "c0ffee" {
		t.Errorf("String(id) = %q", got)
	}
	if got := s.ComputedOf(applied); got["id"].AsString() != "c0ffee" {
		t.Errorf("ComputedOf = %#v", got)
	}
	if got := s.Attr(cty.NullVal(s.Type), "image"); !got.IsNull() || got.Type() != cty.String {
		t.Errorf("Attr of a null object = %#v, want a null string", got)
	}
	if got := s.String(planned, "id"); got != "" {
		t.Errorf("String of an unknown = %q, want empty", got)
	}
}
