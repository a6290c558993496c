package plans

import (
	"encoding/json"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestPathJSONRoundTrip(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"runtime": cty.Object(map[string]cty.Type{
			"env":   cty.Map(cty.String),
			"site":  cty.List(cty.Object(map[string]cty.Type{"name": cty.String})),
			"pair":  cty.Tuple([]cty.Type{cty.String, cty.Number}),
			"extra": cty.DynamicPseudoType,
		}),
	})
	tests := []struct {
		path cty.Path
		json string
	}{
		{cty.Path{}, `[]`},
		{cty.GetAttrPath("runtime").GetAttr("env").IndexString("MODE"), `["runtime","env","MODE"]`},
		{cty.GetAttrPath("runtime").GetAttr("site").IndexInt(1).GetAttr("name"), `["runtime","site",1,"name"]`},
		{cty.GetAttrPath("runtime").GetAttr("pair").IndexInt(1), `["runtime","pair",1]`},
		{cty.GetAttrPath("runtime").GetAttr("extra").GetAttr("x").IndexInt(0), `["runtime","extra","x",0]`},
	}
	for _, tt := range tests {
		data, err := json.Marshal(PathToJSON(tt.path))
		if err != nil || string(data) != tt.json {
			t.Errorf("PathToJSON(%#v) = %s (%v), want %s", tt.path, data, err, tt.json)
			continue
		}
		var steps []any
		if err := json.Unmarshal(data, &steps); err != nil {
			t.Fatal(err)
		}
		back, err := PathFromJSON(ty, steps)
		if err != nil || !back.Equals(tt.path) {
			t.Errorf("PathFromJSON(%s) = %#v (%v), want %#v", tt.json, back, err, tt.path)
		}
	}
}

func TestPathFromJSONErrors(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"l": cty.List(cty.String), "t": cty.Tuple([]cty.Type{cty.String})})
	for _, steps := range [][]any{
		{"missing"},
		{"l", "x"},
		{"l", 1.5},
		{"t", 3.0},
		{true},
	} {
		if _, err := PathFromJSON(ty, steps); err == nil {
			t.Errorf("PathFromJSON(%v) succeeded, want an error", steps)
		}
	}
}
