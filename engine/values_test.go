package engine

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestEqualValuesTreatsNullAndEmptyAlike(t *testing.T) {
	list := cty.List(cty.String)
	obj := func(v cty.Value) cty.Value { return cty.ObjectVal(map[string]cty.Value{"hostnames": v}) }
	tests := []struct {
		name string
		a, b cty.Value
		want bool
	}{
		{"null vs empty list", obj(cty.NullVal(list)), obj(cty.ListValEmpty(cty.String)), true},
		{"same values", obj(cty.ListVal([]cty.Value{cty.StringVal("a")})), obj(cty.ListVal([]cty.Value{cty.StringVal("a")})), true},
		{"different values", obj(cty.ListVal([]cty.Value{cty.StringVal("a")})), obj(cty.ListVal([]cty.Value{cty.StringVal("b")})), false},
		{"empty vs one element", obj(cty.ListValEmpty(cty.String)), obj(cty.ListVal([]cty.Value{cty.StringVal("a")})), false},
		{"unknown never equal", obj(cty.UnknownVal(list)), obj(cty.UnknownVal(list)), false},
		{"marks ignored", cty.StringVal("s").Mark("sensitive"), cty.StringVal("s"), true},
		{"both null", cty.NullVal(cty.DynamicPseudoType), cty.NullVal(cty.DynamicPseudoType), true},
		{"null vs value", cty.NullVal(cty.String), cty.StringVal(""), false},
	}
	for _, tt := range tests {
		if got := equalValues(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: equalValues = %v, want %v", tt.name, got, tt.want)
		}
	}
}
