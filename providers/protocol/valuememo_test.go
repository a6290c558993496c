package protocol

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func bigObject(name string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name),
		"blob": cty.StringVal(strings.Repeat("x", 2*memoMinSize)),
	})
}

func TestDecodeValueMemoKeepsValuesApart(t *testing.T) {
	a, err := EncodeValue(bigObject("a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeValue(bigObject("b"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		for _, tc := range []struct {
			w    *DynamicValue
			want cty.Value
		}{{a, bigObject("a")}, {b, bigObject("b")}} {
			got, err := DecodeValue(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tc.want) {
				t.Fatalf("round %d: decoded %#v, want %#v", i, got, tc.want)
			}
		}
	}
	if _, ok := decodedValues.get(a.TypeJson, a.Msgpack); !ok {
		t.Error("a large unmarked value was not remembered")
	}

	// The same msgpack bytes under another type are another value.
	asMap := cty.MapVal(map[string]cty.Value{"name": cty.StringVal("a"), "blob": cty.StringVal(strings.Repeat("x", 2*memoMinSize))})
	m, err := EncodeValue(asMap)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Msgpack) != string(a.Msgpack) {
		t.Fatal("test premise: the map and the object should share their msgpack bytes")
	}
	got, err := DecodeValue(m)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Type().IsMapType() {
		t.Fatalf("decoded %s, want a map: the memo confused two types", got.Type().FriendlyName())
	}
}

func TestDecodeValueMemoSkipsMarkedValues(t *testing.T) {
	v := bigObject("secret")
	w, err := EncodeValue(v.Mark(SensitiveMark))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := DecodeValue(w)
		if err != nil {
			t.Fatal(err)
		}
		if !got.HasMark(SensitiveMark) {
			t.Fatal("decoded value lost its sensitive mark")
		}
	}
	if _, ok := decodedValues.get(w.TypeJson, w.Msgpack); ok {
		t.Error("a marked value was remembered")
	}
}

func TestValueMemoKeepsWhatRepeats(t *testing.T) {
	m := &valueMemo{}
	typ, hot := []byte("t"), []byte("hot")
	m.put(typ, hot, cty.True)
	// Ten generations of values seen once; the hot one is used in between.
	for i := range 10 * memoGenerationSize {
		m.put(typ, []byte(fmt.Sprint(i)), cty.False)
		if i%(memoGenerationSize/2) == 0 {
			if _, ok := m.get(typ, hot); !ok {
				t.Fatalf("after %d other values the value in use was dropped", i)
			}
		}
	}
	if _, ok := m.get(typ, []byte("0")); ok {
		t.Error("a value seen once ten generations ago is still remembered")
	}
	if n := m.current.n + m.previous.n; n > 2*memoGenerationSize {
		t.Errorf("memo holds %d values, want at most %d", n, 2*memoGenerationSize)
	}
}
