package protocol

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestEncodeMemoReusesOnlyExactlyEqualValues(t *testing.T) {
	var m encodeMemo
	first, err := m.encode(bigObject("a"))
	if err != nil {
		t.Fatal(err)
	}
	// An equal value built separately (as 200 instances' priors are) reuses the encoding.
	again, err := m.encode(bigObject("a"))
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("an equal value was encoded again")
	}
	for name, v := range map[string]cty.Value{
		"another value":         bigObject("b"),
		"the same, but secret":  bigObject("a").Mark(SensitiveMark),
		"a secret attribute":    cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a").Mark(SensitiveMark), "blob": bigObject("a").GetAttr("blob")}),
		"the same, but unknown": cty.UnknownVal(bigObject("a").Type()),
	} {
		w, err := m.encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if w == first {
			t.Errorf("%s: got the encoding of another value", name)
		}
		got, err := DecodeValue(w)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RawEquals(v) {
			t.Errorf("%s: round trip gave %#v, want %#v", name, got, v)
		}
	}
}

func TestEncodeMemoIsBounded(t *testing.T) {
	var m encodeMemo
	for i := range 3 * encodeMemoSize {
		if _, err := m.encode(bigObject(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.recent) != encodeMemoSize {
		t.Fatalf("memo holds %d values, want %d", len(m.recent), encodeMemoSize)
	}
}
