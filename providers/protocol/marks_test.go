package protocol

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestContainsMarkedAgreesWithCty(t *testing.T) {
	secret := cty.StringVal("s").Mark(SensitiveMark)
	plain := cty.StringVal("p")
	obj := func(v cty.Value) cty.Value { return cty.ObjectVal(map[string]cty.Value{"a": plain, "b": v}) }
	values := map[string]cty.Value{
		"plain string":          plain,
		"marked string":         secret,
		"marked null":           cty.NullVal(cty.String).Mark(SensitiveMark),
		"marked unknown":        cty.UnknownVal(cty.String).Mark(SensitiveMark),
		"plain object":          obj(plain),
		"object, marked attr":   obj(secret),
		"nested object":         obj(obj(obj(secret))),
		"nested plain object":   obj(obj(obj(plain))),
		"list, marked element":  cty.ListVal([]cty.Value{plain, secret}),
		"list of objects":       cty.ListVal([]cty.Value{obj(plain), obj(secret)}),
		"plain list":            cty.ListVal([]cty.Value{plain, plain}),
		"empty list":            cty.ListValEmpty(cty.String),
		"tuple, marked element": cty.TupleVal([]cty.Value{cty.True, secret}),
		"map, marked element":   cty.MapVal(map[string]cty.Value{"k": secret}),
		"plain map":             cty.MapVal(map[string]cty.Value{"k": plain}),
		"set, marked element":   cty.SetVal([]cty.Value{plain, secret}),
		"plain set":             cty.SetVal([]cty.Value{plain}),
		"unknown object":        cty.UnknownVal(obj(plain).Type()),
		"null object":           cty.NullVal(obj(plain).Type()),
		"object, unknown attr":  obj(cty.UnknownVal(cty.String)),
		"marked list":           cty.ListVal([]cty.Value{plain}).Mark(SensitiveMark),
		"number":                cty.NumberIntVal(4),
		"dynamic null":          cty.NullVal(cty.DynamicPseudoType),
	}
	for name, v := range values {
		if got, want := ContainsMarked(v), v.ContainsMarked(); got != want {
			t.Errorf("%s: ContainsMarked = %v, cty says %v", name, got, want)
		}
	}
}
