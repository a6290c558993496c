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

func TestCopyMarks(t *testing.T) {
	obj := func(secret, plain string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"secret": cty.StringVal(secret), "plain": cty.StringVal(plain)})
	}
	src := cty.ObjectVal(map[string]cty.Value{
		"secret": cty.StringVal("new").Mark("sensitive"),
		"plain":  cty.StringVal("x"),
	})
	got := copyMarks(obj("old", "y"), src)
	if !got.GetAttr("secret").IsMarked() || got.GetAttr("plain").IsMarked() {
		t.Fatalf("copyMarks = %#v, want only secret marked", got)
	}
	if v, _ := got.GetAttr("secret").Unmark(); v.AsString() != "old" {
		t.Fatalf("copyMarks changed the value: %#v", v)
	}
	// A path missing from dst is ignored.
	short := cty.ObjectVal(map[string]cty.Value{"plain": cty.StringVal("y")})
	if copyMarks(short, src).ContainsMarked() {
		t.Fatal("a mark for a missing path was applied")
	}
}
