package protocol

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func sensitive(v cty.Value) cty.Value { return v.Mark(SensitiveMark) }

func TestValueRoundTrip(t *testing.T) {
	tests := map[string]cty.Value{
		"string":            cty.StringVal("shop"),
		"number":            cty.NumberFloatVal(1.5),
		"big number":        cty.MustParseNumberVal("123456789012345678901234567890"),
		"bool":              cty.True,
		"null string":       cty.NullVal(cty.String),
		"null object":       cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.String})),
		"null dynamic":      cty.NullVal(cty.DynamicPseudoType),
		"unknown dynamic":   cty.DynamicVal,
		"unknown refined":   cty.UnknownVal(cty.String).RefineNotNull(),
		"empty object":      cty.EmptyObjectVal,
		"empty list":        cty.ListValEmpty(cty.String),
		"sensitive string":  sensitive(cty.StringVal("hunter2")),
		"sensitive unknown": sensitive(cty.UnknownVal(cty.String)),
		"nested object": cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("shop"),
			"listen": cty.ObjectVal(map[string]cty.Value{
				"http":  cty.NumberIntVal(80),
				"https": cty.NullVal(cty.Number),
			}),
			"sites": cty.ListVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"hostnames": cty.ListVal([]cty.Value{cty.StringVal("a.example")})}),
				cty.ObjectVal(map[string]cty.Value{"hostnames": cty.ListValEmpty(cty.String)}),
			}),
			"ports": cty.MapVal(map[string]cty.Value{"80": cty.NumberIntVal(8080)}),
			"tags":  cty.SetVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
			"tuple": cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}),
		}),
		"unknown at nested paths": cty.ObjectVal(map[string]cty.Value{
			"placement": cty.ObjectVal(map[string]cty.Value{
				"address": cty.UnknownVal(cty.String),
				"ports":   cty.UnknownVal(cty.Map(cty.Number)),
			}),
			"list": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)}),
			"map":  cty.MapVal(map[string]cty.Value{"k": cty.UnknownVal(cty.Bool)}),
		}),
		"sensitive at nested paths": cty.ObjectVal(map[string]cty.Value{
			"tls": cty.ObjectVal(map[string]cty.Value{
				"certificate": cty.StringVal("-----BEGIN CERTIFICATE-----"),
				"passphrase":  sensitive(cty.StringVal("hunter2")),
			}),
			"keys":  cty.ListVal([]cty.Value{cty.StringVal("public"), sensitive(cty.StringVal("private"))}),
			"env":   cty.MapVal(map[string]cty.Value{"TOKEN": sensitive(cty.StringVal("t0k3n")), "MODE": cty.StringVal("block")}),
			"whole": sensitive(cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("b")})),
			"null":  sensitive(cty.NullVal(cty.String)),
			"set":   sensitive(cty.SetVal([]cty.Value{cty.StringVal("s")})),
		}),
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			wire, err := EncodeValue(want)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := DecodeValue(wire)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !got.RawEquals(want) {
				t.Fatalf("round trip changed the value\n got: %#v\nwant: %#v", got, want)
			}
		})
	}
}

func TestValueRoundTripNil(t *testing.T) {
	wire, err := EncodeValue(cty.NilVal)
	if err != nil || wire != nil {
		t.Fatalf("EncodeValue(NilVal) = %v, %v; want nil, nil", wire, err)
	}
	got, err := DecodeValue(nil)
	if err != nil || got != cty.NilVal {
		t.Fatalf("DecodeValue(nil) = %#v, %v; want NilVal", got, err)
	}
}

func TestEncodeValueDropsOtherMarks(t *testing.T) {
	v := cty.ObjectVal(map[string]cty.Value{
		"a": cty.StringVal("x").Mark("engine-internal"),
		"b": cty.StringVal("y").WithMarks(cty.NewValueMarks("engine-internal", SensitiveMark)),
	})
	wire, err := EncodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValue(wire)
	if err != nil {
		t.Fatal(err)
	}
	want := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": sensitive(cty.StringVal("y"))})
	if !got.RawEquals(want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestDecodeValueRejectsBadInput(t *testing.T) {
	good, err := EncodeValue(cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}))
	if err != nil {
		t.Fatal(err)
	}
	missingPath, _ := EncodePath(cty.GetAttrPath("nope"))
	tests := map[string]struct {
		wire *DynamicValue
		want string
	}{
		"bad type": {
			wire: &DynamicValue{Msgpack: good.Msgpack, TypeJson: []byte(`"no-such-type"`)},
			want: "decode value type",
		},
		"value does not match type": {
			wire: &DynamicValue{Msgpack: good.Msgpack, TypeJson: []byte(`"bool"`)},
			want: "decode value of type bool",
		},
		"sensitive path outside the value": {
			// A mark that cannot be applied must not vanish silently: the secret would show.
			wire: &DynamicValue{Msgpack: good.Msgpack, TypeJson: good.TypeJson, SensitivePaths: []*AttributePath{missingPath}},
			want: "sensitive path nope",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeValue(tc.wire)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeValue error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestInstanceValueRoundTrip(t *testing.T) {
	tests := map[string]*InstanceValue{
		"nil":   nil,
		"zero":  {},
		"known": {Runtime: cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("b")}), Placement: cty.EmptyObjectVal},
		"unknown and sensitive": {
			Runtime:   cty.ObjectVal(map[string]cty.Value{"secret": sensitive(cty.StringVal("s"))}),
			Placement: cty.ObjectVal(map[string]cty.Value{"address": cty.UnknownVal(cty.String)}),
		},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			wire, err := EncodeInstanceValue(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeInstanceValue(wire)
			if err != nil {
				t.Fatal(err)
			}
			if want == nil {
				if got != nil {
					t.Fatalf("nil InstanceValue came back as %#v", got)
				}
				return
			}
			if got == nil {
				t.Fatal("InstanceValue came back nil")
			}
			if !sameValue(got.Runtime, want.Runtime) || !sameValue(got.Placement, want.Placement) {
				t.Fatalf("got %#v, want %#v", got, want)
			}
		})
	}
}

// sameValue is RawEquals that also accepts two NilVals.
func sameValue(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == b
	}
	return a.RawEquals(b)
}

func TestPathRoundTrip(t *testing.T) {
	tests := []cty.Path{
		nil,
		cty.GetAttrPath("runtime"),
		cty.GetAttrPath("placement").GetAttr("ports").Index(cty.StringVal("80")),
		cty.GetAttrPath("sites").Index(cty.NumberIntVal(3)).GetAttr("hostnames"),
	}
	for _, want := range tests {
		wire, err := EncodePath(want)
		if err != nil {
			t.Fatalf("encode %s: %v", FormatPath(want), err)
		}
		got, err := DecodePath(wire)
		if err != nil {
			t.Fatalf("decode %s: %v", FormatPath(want), err)
		}
		if !got.Equals(want) {
			t.Fatalf("got %s, want %s", FormatPath(got), FormatPath(want))
		}
	}
	if _, err := EncodePath(cty.IndexPath(cty.NumberFloatVal(1.5))); err == nil {
		t.Fatal("a fractional index must not encode")
	}
	if _, err := EncodePath(cty.IndexPath(cty.True)); err == nil {
		t.Fatal("a bool index must not encode")
	}
}

func TestDiagnosticsRoundTrip(t *testing.T) {
	want := Diagnostics{
		{Severity: Error, Summary: "Bad port", Detail: "Ports go from 1 to 65535.", Attribute: cty.GetAttrPath("ports").Index(cty.StringVal("80"))},
		{Severity: Warning, Summary: "Deprecated", Detail: "Use memory instead."},
	}
	got := DecodeDiagnostics(EncodeDiagnostics(want))
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Severity != want[i].Severity || got[i].Summary != want[i].Summary ||
			got[i].Detail != want[i].Detail || !got[i].Attribute.Equals(want[i].Attribute) {
			t.Errorf("diagnostic %d: got %#v, want %#v", i, got[i], want[i])
		}
	}
	// A severity this version does not know counts as an error: fail closed.
	unknown := DecodeDiagnostics([]*WireDiagnostic{{Severity: 7, Summary: "from the future"}})
	if !unknown.HasErrors() {
		t.Fatal("an unknown severity must count as an error")
	}
}

func benchmarkValue() cty.Value {
	sites := make([]cty.Value, 20)
	for i := range sites {
		sites[i] = cty.ObjectVal(map[string]cty.Value{
			"hostnames": cty.ListVal([]cty.Value{cty.StringVal("shop.example.com"), cty.StringVal("www.shop.example.com")}),
			"pool":      cty.StringVal("shop_app"),
			"mode":      cty.StringVal("block"),
			"paranoia":  cty.NumberIntVal(1),
		})
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name":  cty.StringVal("shop"),
		"sites": cty.ListVal(sites),
		"tls": cty.ObjectVal(map[string]cty.Value{
			"passphrase": sensitive(cty.StringVal("hunter2")),
			"address":    cty.UnknownVal(cty.String),
		}),
	})
}

func BenchmarkEncodeValue(b *testing.B) {
	v := benchmarkValue()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeValue(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValue(b *testing.B) {
	wire, err := EncodeValue(benchmarkValue())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeValue(wire); err != nil {
			b.Fatal(err)
		}
	}
}
