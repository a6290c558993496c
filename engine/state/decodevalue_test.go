package state

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// decodeValueReference is how decodeValue worked before it decoded, opened and marked in
// one pass: rewrite the JSON with every sealed value opened (through a tree of `any`),
// decode it with ctyjson, then mark the sensitive paths with MarkWithPaths. The tests
// below require the two to agree on every value.
func decodeValueReference(vd valueDoc, whole bool, location string, opener openFunc, ty cty.Type) (cty.Value, error) {
	paths := make([]cty.Path, 0, len(vd.SensitivePaths))
	for _, steps := range vd.SensitivePaths {
		p, err := plans.PathFromJSON(ty, steps)
		if err != nil {
			return cty.NilVal, fmt.Errorf("sensitive path %v: %w", steps, err)
		}
		paths = append(paths, p)
	}
	valueJSON := []byte(vd.Value)
	if roots := sealRoots(paths, whole); len(roots) > 0 {
		var err error
		valueJSON, err = rewriteAt(valueJSON, ty, roots, func(node any, root cty.Path) (any, error) {
			if node == nil {
				return nil, fmt.Errorf("expected a sealed value")
			}
			raw, err := json.Marshal(node)
			if err != nil {
				return nil, err
			}
			plain, err := opener(raw, valueLocation(location, root))
			if err != nil {
				return nil, err
			}
			return parseTree(plain)
		})
		if err != nil {
			return cty.NilVal, err
		}
	}
	v, err := ctyjson.Unmarshal(valueJSON, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("value: %w", err)
	}
	if len(paths) == 0 {
		return v, nil
	}
	pvm := make([]cty.PathValueMarks, len(paths))
	for i, p := range paths {
		pvm[i] = cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(protocol.SensitiveMark)}
	}
	return v.MarkWithPaths(pvm), nil
}

// requireSameAsReference decodes vd both ways and requires the same value (RawEquals,
// marks included) or both failing.
func requireSameAsReference(t *testing.T, vd valueDoc, whole bool, opener openFunc) {
	t.Helper()
	types := map[string]cty.Type{}
	ty, err := typeOf(vd, types)
	if err != nil {
		t.Fatal(err)
	}
	want, wantErr := decodeValueReference(vd, whole, "test", opener, ty)
	got, gotErr := decodeValue(vd, whole, "test", opener, types)
	switch {
	case (wantErr == nil) != (gotErr == nil):
		t.Fatalf("value %s, sensitive %v: reference error %v, decodeValue error %v", vd.Value, vd.SensitivePaths, wantErr, gotErr)
	case wantErr == nil && !got.RawEquals(want):
		t.Fatalf("value %s, sensitive %v:\n got %#v\nwant %#v", vd.Value, vd.SensitivePaths, got, want)
	}
}

// TestDecodeValueMatchesReferenceOnEncodedStates: every instance and output of states
// written by Encode decodes as before.
func TestDecodeValueMatchesReferenceOnEncodedStates(t *testing.T) {
	key := testKey(t)
	states := map[string]*State{"conformance": conformanceState(), "waf docker": wafDockerState(3), "bench": benchState(2)}
	for name, s := range states {
		t.Run(name, func(t *testing.T) {
			data, err := s.Encode(key)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := unmarshalDocument(data)
			if err != nil {
				t.Fatal(err)
			}
			opener := &decrypter{key: key, header: doc.Encryption}
			for _, inst := range doc.Instances {
				requireSameAsReference(t, inst.valueDoc, false, func(node []byte, location string) ([]byte, error) {
					return opener.open(node, "instance "+inst.Address+location[len("test"):])
				})
			}
			for name, out := range doc.Outputs {
				requireSameAsReference(t, out.valueDoc, out.Sensitive, func(node []byte, location string) ([]byte, error) {
					return opener.open(node, "output "+name+location[len("test"):])
				})
			}
		})
	}
}

// sealedForTest is what stands for a sealed value in the crafted documents below: the
// plain JSON in base64, opened by openForTest (no cipher: these tests are about where
// sealed values and marks go, not about encryption).
func sealedForTest(plainJSON string) string {
	return `{"sealed":"` + base64.StdEncoding.EncodeToString([]byte(plainJSON)) + `"}`
}

func openForTest(node []byte, _ string) ([]byte, error) {
	var sv struct {
		Sealed string `json:"sealed"`
	}
	if err := json.Unmarshal(node, &sv); err != nil || sv.Sealed == "" {
		return nil, fmt.Errorf("expected a sealed value")
	}
	return base64.StdEncoding.DecodeString(sv.Sealed)
}

// TestDecodeValueMatchesReferenceOnCraftedValues covers the corners of sealed values and
// sensitive paths a hand-edited or damaged document can have.
func TestDecodeValueMatchesReferenceOnCraftedValues(t *testing.T) {
	tests := []struct {
		name  string
		ty    string
		value string
		paths string // sensitive_paths as JSON
		whole bool
	}{
		{"sealed attribute", `["object",{"a":"number","b":"string"}]`, `{"a":` + sealedForTest(`1`) + `,"b":"x"}`, `[["a"]]`, false},
		{"sealed null", `["object",{"a":["map","string"]}]`, `{"a":` + sealedForTest(`null`) + `}`, `[["a"]]`, false},
		{"sealed root missing", `["object",{"a":"number","b":"string"}]`, `{"b":"x"}`, `[["a"]]`, false},
		{"sealed root null in document", `["object",{"a":"number"}]`, `{"a":null}`, `[["a"]]`, false},
		{"sealed root not sealed", `["object",{"a":"number"}]`, `{"a":1}`, `[["a"]]`, false},
		{"sealed root under null", `["object",{"o":["object",{"a":"number"}]}]`, `{"o":null}`, `[["o","a"]]`, false},
		{"marks inside a sealed value", `["object",{"o":["object",{"a":"number","b":"string","c":["list","string"]}]}]`,
			`{"o":` + sealedForTest(`{"a":1,"c":["x","y"]}`) + `}`, `[["o"],["o","b"],["o","c",1],["o","c",7]]`, false},
		{"sealed list element", `["object",{"l":["list","string"]}]`, `{"l":["a",` + sealedForTest(`"b"`) + `]}`, `[["l",1]]`, false},
		{"sealed list element out of range", `["object",{"l":["list","string"]}]`, `{"l":["a"]}`, `[["l",3]]`, false},
		{"sealed map element", `["object",{"m":["map","string"]}]`, `{"m":{"k":` + sealedForTest(`"v"`) + `,"j":"w"}}`, `[["m","k"]]`, false},
		{"sealed map element, NFD key", `["object",{"m":["map","string"]}]`, "{\"m\":{\"e\u0301\":" + sealedForTest(`"v"`) + `}}`, `[["m","é"]]`, false},
		{"sealed in a tuple", `["object",{"t":["tuple",["string","number"]]}]`, `{"t":["a",` + sealedForTest(`2`) + `]}`, `[["t",1]]`, false},
		{"sealed through a dynamic object", `["object",{"d":"dynamic"}]`,
			`{"d":{"value":{"x":` + sealedForTest(`"s"`) + `,"y":"t"},"type":["object",{"x":"string","y":"string"}]}}`, `[["d","x"]]`, false},
		{"sealed dynamic", `["object",{"d":"dynamic"}]`, `{"d":` + sealedForTest(`{"value":[1,2],"type":["list","number"]}`) + `}`, `[["d"],["d",0]]`, false},
		{"sealed through a dynamic map", `["object",{"d":"dynamic"}]`,
			`{"d":{"value":{"k":` + sealedForTest(`"s"`) + `},"type":["map","string"]}}`, `[["d","k"]]`, false},
		{"marked element of a dynamic set", `["object",{"d":"dynamic"}]`,
			`{"d":` + sealedForTest(`{"value":[5,6],"type":["set","number"]}`) + `}`, `[["d"],["d",5]]`, false},
		{"sealed set", `["object",{"s":["set","string"]}]`, `{"s":` + sealedForTest(`["b","a"]`) + `}`, `[["s"]]`, false},
		{"sealed whole value", `["list","string"]`, sealedForTest(`["a","b"]`), `[[1]]`, true},
		{"sealed whole value without marks", `"string"`, sealedForTest(`"s"`), `[]`, true},
		{"sealed whole null", `"string"`, `null`, `[]`, true},
		{"same path twice", `["object",{"a":"number"}]`, `{"a":` + sealedForTest(`1`) + `}`, `[["a"],["a"]]`, false},
		{"bad plaintext", `["object",{"a":"number"}]`, `{"a":` + sealedForTest(`"one"`) + `}`, `[["a"]]`, false},
		{"type error outside sealed values", `["object",{"a":"number","b":"number"}]`, `{"a":` + sealedForTest(`1`) + `,"b":"x"}`, `[["a"]]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vd := valueDoc{Type: json.RawMessage(tt.ty), Value: json.RawMessage(tt.value)}
			if err := json.Unmarshal([]byte(tt.paths), &vd.SensitivePaths); err != nil {
				t.Fatal(err)
			}
			requireSameAsReference(t, vd, tt.whole, openForTest)
		})
	}
}

// TestDecodeValueMarksNullAttributes: a sensitive attribute missing from a sealed
// object's JSON is null and still marked, as MarkWithPaths marks it.
func TestDecodeValueMarksNullAttributes(t *testing.T) {
	vd := valueDoc{
		Type:           json.RawMessage(`["object",{"o":["object",{"a":"number","b":"string"}]}]`),
		Value:          json.RawMessage(`{"o":` + sealedForTest(`{"a":1}`) + `}`),
		SensitivePaths: [][]any{{"o"}, {"o", "b"}},
	}
	types := map[string]cty.Type{}
	if _, err := typeOf(vd, types); err != nil {
		t.Fatal(err)
	}
	v, err := decodeValue(vd, false, "test", openForTest, types)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := v.GetAttr("o").Unmark()
	if b := o.GetAttr("b"); !b.IsNull() || !b.HasMark(protocol.SensitiveMark) {
		t.Fatalf("o.b = %#v, want a marked null", b)
	}
}
