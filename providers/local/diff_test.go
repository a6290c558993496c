package local

import (
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestSameValue(t *testing.T) {
	strList := cty.List(cty.String)
	tests := []struct {
		name string
		a, b cty.Value
		want bool
	}{
		{"equal strings", cty.StringVal("x"), cty.StringVal("x"), true},
		{"different strings", cty.StringVal("x"), cty.StringVal("y"), false},
		{"null and empty list", cty.NullVal(strList), cty.ListValEmpty(cty.String), true},
		{"null and empty map", cty.NullVal(cty.Map(cty.String)), cty.MapValEmpty(cty.String), true},
		{"empty list inside objects",
			cty.ObjectVal(map[string]cty.Value{"l": cty.NullVal(strList)}),
			cty.ObjectVal(map[string]cty.Value{"l": cty.ListValEmpty(cty.String)}), true},
		{"null and non-empty list", cty.NullVal(strList), cty.ListVal([]cty.Value{cty.StringVal("a")}), false},
		{"marks are ignored", cty.StringVal("s").Mark("sensitive"), cty.StringVal("s"), true},
		{"unknown is never the same", cty.UnknownVal(cty.String), cty.UnknownVal(cty.String), false},
		{"different types", cty.StringVal("1"), cty.NumberIntVal(1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameValue(tt.a, tt.b); got != tt.want {
				t.Errorf("sameValue(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestChangedAttributes(t *testing.T) {
	prev := wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:1"}
	next := prev
	next.hostnames = []string{"shop.example.com"}
	next.httpPort = 8081
	got := changedAttributes(prev.runtimeValue(), next.runtimeValue())
	if want := []string{"listen", "site"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changedAttributes = %v, want %v", got, want)
	}
	if got := changedAttributes(prev.runtimeValue(), prev.runtimeValue()); len(got) != 0 {
		t.Errorf("changedAttributes of equal values = %v, want none", got)
	}
}
