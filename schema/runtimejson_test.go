package schema

import (
	"math/big"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// runtimeJSON must write exactly what ctyjson writes, only faster.
func TestRuntimeJSONMatchesCtyJSON(t *testing.T) {
	huge, _ := new(big.Float).SetString("123456789012345678901234567890")
	values := []cty.Value{
		cty.ObjectVal(map[string]cty.Value{
			"name":    cty.StringVal("shop \"<&>\" ü\n"),
			"port":    cty.NumberIntVal(8080),
			"neg":     cty.NumberIntVal(-1),
			"ratio":   cty.NumberFloatVal(0.25),
			"huge":    cty.NumberVal(huge),
			"on":      cty.True,
			"off":     cty.False,
			"missing": cty.NullVal(cty.String),
			"hosts":   cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
			"none":    cty.ListValEmpty(cty.String),
			"tags":    cty.MapVal(map[string]cty.Value{"z": cty.StringVal("1"), "a": cty.StringVal("2")}),
			"set":     cty.SetVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(1)}),
			"tuple":   cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1)}),
			"nested":  cty.ObjectVal(map[string]cty.Value{"inner": cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.Number}))}),
		}),
		cty.NullVal(cty.DynamicPseudoType),
	}
	for _, v := range values {
		want, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		got, err := runtimeJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("runtimeJSON:\n got %s\nwant %s", got, want)
		}
	}
}
