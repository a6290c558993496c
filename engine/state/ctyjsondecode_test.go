package state

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// ctyJSONCase is one input for the differential tests: a type (cty's JSON type syntax)
// and a JSON value.
type ctyJSONCase struct {
	name string
	ty   string
	data string
}

// ctyJSONCases cover every kind of type cty's JSON form has and the lenient corners of
// ctyjson.Unmarshal; each must decode exactly as ctyjson decodes it (or fail where it fails).
var ctyJSONCases = []ctyJSONCase{
	{"string", `"string"`, `"hello"`},
	{"empty string", `"string"`, `""`},
	{"escapes", `"string"`, `"a\"b\\c\/d\b\f\n\r\t\u00e9\u0000"`},
	{"surrogate pair", `"string"`, `"\ud83d\ude00"`},
	{"lone high surrogate", `"string"`, `"\ud83dx"`},
	{"lone low surrogate", `"string"`, `"\ude00"`},
	{"high surrogate then escape", `"string"`, `"\ud83d\u0041"`},
	{"two high surrogates", `"string"`, `"\ud83d\ud83d\ude00"`},
	{"invalid UTF-8", `"string"`, "\"a\xffb\xc3\""},
	{"encoded surrogate", `"string"`, "\"\xed\xa0\x80\""},
	{"valid UTF-8", `"string"`, `"größe ✓ 😀"`},
	{"NFD becomes NFC", `"string"`, "\"e\u0301\""},
	{"control character", `"string"`, "\"a\nb\""},
	{"bad escape", `"string"`, `"\x"`},
	{"single quote escape", `"string"`, `"\'"`},
	{"short unicode escape", `"string"`, `"\u12"`},
	{"unterminated string", `"string"`, `"abc`},
	{"number as string", `"string"`, `1.50e+3`},
	{"bool as string", `"string"`, `true`},
	{"object as string", `"string"`, `{"a":1}`},
	{"number", `"number"`, `42`},
	{"negative zero", `"number"`, `-0`},
	{"fraction", `"number"`, `0.1000000000000000055511151231257827`},
	{"exponent", `"number"`, `1E-7`},
	{"huge exponent", `"number"`, `1e400000`},
	{"big integer", `"number"`, `123456789012345678901234567890`},
	{"string as number", `"number"`, `"12.5"`},
	{"bad string as number", `"number"`, `"twelve"`},
	{"inf string as number", `"number"`, `"Inf"`},
	{"bool as number", `"number"`, `false`},
	{"leading zero", `"number"`, `01`},
	{"bare minus", `"number"`, `-`},
	{"dot without digits", `"number"`, `1.`},
	{"bool", `"bool"`, `true`},
	{"string as bool", `"bool"`, `"false"`},
	{"bad string as bool", `"bool"`, `"yes"`},
	{"number as bool", `"bool"`, `1`},
	{"null", `"string"`, `null`},
	{"null typo", `"string"`, `nul`},
	{"trailing bytes ignored", `"number"`, `7 trailing`},
	{"trailing after object", `["object",{"a":"number"}]`, `{"a":1}}`},
	{"empty input", `"string"`, ``},
	{"whitespace only", `"string"`, " \n\t"},
	{"list", `["list","string"]`, `["a","b"]`},
	{"empty list", `["list","string"]`, `[]`},
	{"list trailing comma", `["list","string"]`, `["a",]`},
	{"list missing comma", `["list","number"]`, `[1 2]`},
	{"list leading zero", `["list","number"]`, `[01]`},
	{"list of null", `["list","number"]`, `[null, 1]`},
	{"list of object", `["list",["object",{"a":"number"}]]`, `[{"a":1},{}]`},
	{"list not array", `["list","string"]`, `"a"`},
	{"set", `["set","string"]`, `["b","a","b"]`},
	{"empty set", `["set","number"]`, `[]`},
	{"map", `["map","number"]`, `{"b":2,"a":1}`},
	{"empty map", `["map","number"]`, `{}`},
	{"map duplicate key", `["map","number"]`, `{"a":1,"a":2}`},
	{"map missing colon", `["map","number"]`, `{"a" 1}`},
	{"map trailing comma", `["map","number"]`, `{"a":1,}`},
	{"map non-string key", `["map","number"]`, `{1:2}`},
	{"tuple", `["tuple",["string","number"]]`, `["a",1]`},
	{"empty tuple", `["tuple",[]]`, `[]`},
	{"tuple too long", `["tuple",["string"]]`, `["a",1]`},
	{"tuple too short", `["tuple",["string","number"]]`, `["a"]`},
	{"object", `["object",{"a":"string","b":["list","number"]}]`, `{"a":"x","b":[1,2]}`},
	{"object missing attribute", `["object",{"a":"string","b":"number"}]`, `{"a":"x"}`},
	{"object extra attribute", `["object",{"a":"string"}]`, `{"a":"x","c":1}`},
	{"object duplicate attribute", `["object",{"a":"string"}]`, `{"a":"x","a":"y"}`},
	{"empty object type", `["object",{}]`, `{}`},
	{"object all missing", `["object",{"a":"string"}]`, `{}`},
	{"object escaped key", `["object",{"ab":"string"}]`, `{"a\u0062":"x"}`},
	{"object NFD key", `["object",{"é":"string"}]`, "{\"e\u0301\":\"x\"}"},
	{"dynamic", `"dynamic"`, `{"value":"x","type":"string"}`},
	{"dynamic type first", `"dynamic"`, `{"type":["list","number"],"value":[1,2]}`},
	{"dynamic null", `"dynamic"`, `null`},
	{"dynamic null value", `"dynamic"`, `{"value":null,"type":"number"}`},
	{"dynamic nested", `"dynamic"`, `{"value":{"value":true,"type":"bool"},"type":"dynamic"}`},
	{"dynamic missing type", `"dynamic"`, `{"value":1}`},
	{"dynamic missing value", `"dynamic"`, `{"type":"number"}`},
	{"dynamic bad key", `"dynamic"`, `{"value":1,"type":"number","x":1}`},
	{"dynamic bad type", `"dynamic"`, `{"value":1,"type":"numbr"}`},
	{"dynamic duplicate value", `"dynamic"`, `{"value":"bad","value":2,"type":"number"}`},
	{"dynamic not object", `"dynamic"`, `[1]`},
	{"list of dynamic, same types", `["list","dynamic"]`, `[{"value":1,"type":"number"},{"value":2,"type":"number"}]`},
	{"list of dynamic, null first", `["list","dynamic"]`, `[null,{"value":2,"type":"number"}]`},
	{"list of dynamic, different types", `["list","dynamic"]`, `[{"value":1,"type":"number"},{"value":"x","type":"string"}]`},
	{"map of dynamic, different types", `["map","dynamic"]`, `{"a":{"value":1,"type":"number"},"b":{"value":"x","type":"string"}}`},
	{"set of dynamic, different types", `["set","dynamic"]`, `[{"value":1,"type":"number"},{"value":"x","type":"string"}]`},
	{"deep nesting", `["list",["list",["list","number"]]]`, `[[[1]],[[2,3]],[]]`},
}

// ctyUnmarshal runs ctyjson.Unmarshal, turning its panics (inconsistent collection
// element types) into errors.
func ctyUnmarshal(data []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ctyjson panicked: %v", r)
		}
	}()
	return ctyjson.Unmarshal(data, ty)
}

// requireSameAsCtyJSON fails unless decodeCtyJSON and ctyjson.Unmarshal agree on data.
func requireSameAsCtyJSON(t *testing.T, ty cty.Type, data []byte) {
	t.Helper()
	want, wantErr := ctyUnmarshal(data, ty)
	got, gotErr := decodeCtyJSON(data, ty)
	switch {
	case wantErr != nil && gotErr == nil:
		t.Fatalf("type %#v, JSON %q: ctyjson fails (%v), decodeCtyJSON returns %#v", ty, data, wantErr, got)
	case wantErr == nil && gotErr != nil:
		t.Fatalf("type %#v, JSON %q: ctyjson returns %#v, decodeCtyJSON fails: %v", ty, data, want, gotErr)
	case wantErr == nil && !got.RawEquals(want) && !ctyJSONDisagreesWithItself(data, ty, got):
		t.Fatalf("type %#v, JSON %q:\n got %#v\nwant %#v", ty, data, got, want)
	}
	if gotErr != nil {
		var pathErr cty.PathError
		if !errors.As(gotErr, &pathErr) {
			t.Fatalf("error %v is not a cty.PathError", gotErr)
		}
	}
}

// ctyJSONDisagreesWithItself reports whether ctyjson's result for data depends on Go's
// map order, and got is one of its results: two map keys that normalise to the same
// string (NFC) become one key, and which value is kept is whichever ctyjson met last in
// its map. decodeCtyJSON keeps the last one in the document.
func ctyJSONDisagreesWithItself(data []byte, ty cty.Type, got cty.Value) bool {
	first, _ := ctyUnmarshal(data, ty)
	varies, matches := false, false
	for range 50 {
		v, err := ctyUnmarshal(data, ty)
		if err != nil {
			return false
		}
		varies = varies || !v.RawEquals(first)
		matches = matches || v.RawEquals(got)
	}
	return varies && matches
}

func TestDecodeCtyJSONMatchesCtyJSON(t *testing.T) {
	for _, tc := range ctyJSONCases {
		t.Run(tc.name, func(t *testing.T) {
			ty, err := ctyjson.UnmarshalType([]byte(tc.ty))
			if err != nil {
				t.Fatalf("bad test type %s: %v", tc.ty, err)
			}
			requireSameAsCtyJSON(t, ty, []byte(tc.data))
		})
	}
}

// TestDecodeCtyJSONRealValues: the values rampart writes to state decode as ctyjson
// decodes them.
func TestDecodeCtyJSONRealValues(t *testing.T) {
	for _, tc := range realValueCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			ty, err := ctyjson.UnmarshalType([]byte(tc.ty))
			if err != nil {
				t.Fatal(err)
			}
			requireSameAsCtyJSON(t, ty, []byte(tc.data))
		})
	}
}

// realValueCases are the values of the benchmark and conformance states, unmarked, in
// the JSON form state holds them in.
func realValueCases(t testing.TB) []ctyJSONCase {
	t.Helper()
	values := map[string]cty.Value{"waf docker instance": wafDockerInstance(3).Value}
	for _, inst := range conformanceState().Instances {
		values["conformance "+inst.Address] = inst.Value
	}
	values["bench instance"] = benchState(1).Instances[0].Value
	var cases []ctyJSONCase
	for name, v := range values {
		v, _ = v.UnmarkDeep()
		typeJSON, err := v.Type().MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		data, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, ctyJSONCase{name: name, ty: string(typeJSON), data: string(data)})
	}
	return cases
}

// TestDecodeCtyJSONErrorsNameThePath: an error says where in the value it is, both in
// its message and as a cty.PathError.
func TestDecodeCtyJSONErrorsNameThePath(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"runtime": cty.Object(map[string]cty.Type{
			"site":  cty.List(cty.Object(map[string]cty.Type{"port": cty.Number})),
			"ports": cty.Map(cty.Number),
		}),
	})
	tests := []struct {
		data     string
		wantMsg  string
		wantPath cty.Path
	}{
		{`{"runtime":{"site":[{"port":1},{"port":"x"}]}}`, `runtime.site[1].port: a number is required`,
			cty.GetAttrPath("runtime").GetAttr("site").IndexInt(1).GetAttr("port")},
		{`{"runtime":{"ports":{"80":true}}}`, `runtime.ports["80"]: number is required`,
			cty.GetAttrPath("runtime").GetAttr("ports").IndexString("80")},
		{`{"runtime":{"colour":1}}`, `runtime: unsupported attribute "colour"`, cty.GetAttrPath("runtime")},
		{`{"runtime":{"site":[{"port":1} {"port":2}]}}`, `runtime.site: invalid JSON at byte 31: expected ',' or ']' after array element, found '{'`,
			cty.GetAttrPath("runtime").GetAttr("site")},
	}
	for _, tt := range tests {
		_, err := decodeCtyJSON([]byte(tt.data), ty)
		if err == nil || err.Error() != tt.wantMsg {
			t.Errorf("decode %s: error %v\nwant %s", tt.data, err, tt.wantMsg)
			continue
		}
		var pathErr cty.PathError
		if !errors.As(err, &pathErr) || !pathErr.Path.Equals(tt.wantPath) {
			t.Errorf("decode %s: error path %#v, want %#v", tt.data, pathErr.Path, tt.wantPath)
		}
	}
}

// TestDecodeCtyJSONDeepNestingFails: a crafted document cannot exhaust the stack.
func TestDecodeCtyJSONDeepNestingFails(t *testing.T) {
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	if _, err := decodeCtyJSON([]byte(`{"value":`+deep+`,"type":"number"}`), cty.DynamicPseudoType); err == nil {
		t.Fatal("20000 nested arrays decoded without error")
	}
}

// FuzzDecodeMatchesCtyJSON feeds random JSON and random types to both decoders and
// requires identical results: equal values (RawEquals) or both failing. typeJSON is cty's
// type syntax; where it does not parse, its bytes choose a type (typeFromBytes), so the
// fuzzer explores types as well as values.
func FuzzDecodeMatchesCtyJSON(f *testing.F) {
	for _, tc := range ctyJSONCases {
		f.Add(tc.ty, []byte(tc.data))
	}
	for _, tc := range realValueCases(f) {
		f.Add(tc.ty, []byte(tc.data))
	}
	f.Add("\x08\x04\x00\x01\x03\x02", []byte(`{"a":[1,"2"],"b":{"value":{"x":true},"type":["map","bool"]}}`))
	f.Fuzz(func(t *testing.T, typeJSON string, data []byte) {
		ty, err := ctyjson.UnmarshalType([]byte(typeJSON))
		if err != nil {
			ty = typeFromBytes([]byte(typeJSON))
		}
		requireSameAsCtyJSON(t, ty, data)
	})
}

// typeFromBytes builds a cty type from arbitrary bytes, each byte choosing the next
// part of the type; nesting stops at depth 4 and where the bytes run out.
func typeFromBytes(b []byte) cty.Type {
	g := typeGenerator{b: b}
	return g.next(0)
}

type typeGenerator struct {
	b []byte
}

func (g *typeGenerator) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

// attrNames include names that cty normalises (NFD "é") and JSON-significant ones.
var attrNames = []string{"a", "b", "value", "type", "é", "e\u0301", "with space", ""}

func (g *typeGenerator) next(depth int) cty.Type {
	c := g.byte()
	if depth >= 4 {
		c %= 4
	}
	switch c % 9 {
	case 0:
		return cty.String
	case 1:
		return cty.Number
	case 2:
		return cty.Bool
	case 3:
		return cty.DynamicPseudoType
	case 4:
		return cty.List(g.next(depth + 1))
	case 5:
		return cty.Set(g.next(depth + 1))
	case 6:
		return cty.Map(g.next(depth + 1))
	case 7:
		elems := make([]cty.Type, g.byte()%4)
		for i := range elems {
			elems[i] = g.next(depth + 1)
		}
		return cty.Tuple(elems)
	default:
		attrs := map[string]cty.Type{}
		for range g.byte() % 4 {
			attrs[attrNames[int(g.byte())%len(attrNames)]] = g.next(depth + 1)
		}
		return cty.Object(attrs)
	}
}
