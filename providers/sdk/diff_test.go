package sdk

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

func TestObjectDiff(t *testing.T) {
	obj := func(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }
	base := map[string]cty.Value{
		"name":  cty.StringVal("shop"),
		"ports": cty.MapVal(map[string]cty.Value{"80": cty.NumberIntVal(8080)}),
		"hosts": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"tags":  cty.SetVal([]cty.Value{cty.StringVal("x")}),
		"env":   cty.NullVal(cty.Map(cty.String)),
		"limits": obj(map[string]cty.Value{
			"memory": cty.StringVal("512M"),
			"cpus":   cty.NumberIntVal(1),
		}),
	}
	with := func(changes map[string]cty.Value) cty.Value {
		attrs := map[string]cty.Value{}
		for k, v := range base {
			attrs[k] = v
		}
		for k, v := range changes {
			attrs[k] = v
		}
		return obj(attrs)
	}

	tests := map[string]struct {
		a, b cty.Value
		want string // paths joined by " "
	}{
		"equal": {a: with(nil), b: with(nil), want: ""},
		"nested attribute": {
			a: with(nil), b: with(map[string]cty.Value{"limits": obj(map[string]cty.Value{"memory": cty.StringVal("1G"), "cpus": cty.NumberIntVal(1)})}),
			want: "limits.memory",
		},
		"map element changed and added": {
			a:    with(nil),
			b:    with(map[string]cty.Value{"ports": cty.MapVal(map[string]cty.Value{"80": cty.NumberIntVal(80), "443": cty.NumberIntVal(8443)})}),
			want: `ports["443"] ports["80"]`,
		},
		"list element": {
			a: with(nil), b: with(map[string]cty.Value{"hosts": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("c")})}),
			want: "hosts[1]",
		},
		"list length": {
			a: with(nil), b: with(map[string]cty.Value{"hosts": cty.ListVal([]cty.Value{cty.StringVal("a")})}),
			want: "hosts",
		},
		"set as a whole": {
			a: with(nil), b: with(map[string]cty.Value{"tags": cty.SetVal([]cty.Value{cty.StringVal("y")})}),
			want: "tags",
		},
		"null equals empty": {
			a: with(nil), b: with(map[string]cty.Value{"env": cty.MapValEmpty(cty.String)}),
			want: "",
		},
		"null differs from non-empty": {
			a: with(nil), b: with(map[string]cty.Value{"env": cty.MapVal(map[string]cty.Value{"A": cty.StringVal("1")})}),
			want: "env",
		},
		"unknown differs from known": {
			a: with(nil), b: with(map[string]cty.Value{"name": cty.UnknownVal(cty.String)}),
			want: "name",
		},
		"marks are ignored": {
			a: with(nil), b: with(map[string]cty.Value{"name": cty.StringVal("shop").Mark(protocol.SensitiveMark)}),
			want: "",
		},
		"nil against value": {a: cty.NilVal, b: with(nil), want: "(root)"},
		"nil against nil":   {a: cty.NilVal, b: cty.NilVal, want: ""},
		"types differ":      {a: cty.StringVal("1"), b: cty.NumberIntVal(1), want: "(root)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, p := range ObjectDiff(tc.a, tc.b) {
				s := protocol.FormatPath(p)
				if s == "" {
					s = "(root)"
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("ObjectDiff = %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func BenchmarkObjectDiff(b *testing.B) {
	sites := make([]cty.Value, 50)
	for i := range sites {
		sites[i] = cty.ObjectVal(map[string]cty.Value{
			"hostnames": cty.ListVal([]cty.Value{cty.StringVal("shop.example.com")}),
			"mode":      cty.StringVal("block"),
		})
	}
	a := cty.ObjectVal(map[string]cty.Value{"sites": cty.ListVal(sites), "env": cty.NullVal(cty.Map(cty.String))})
	// An empty map where a has null: equal, but only the full walk can tell.
	other := cty.ObjectVal(map[string]cty.Value{"sites": cty.ListVal(sites), "env": cty.MapValEmpty(cty.String)})
	b.ReportAllocs()
	for b.Loop() {
		if len(ObjectDiff(a, other)) != 0 {
			b.Fatal("null and empty map differ")
		}
	}
}
