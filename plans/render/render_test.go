package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/plans"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name.golden, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func secret(s string) cty.Value { return cty.StringVal(s).Mark(sensitiveMark) }

func num(n int64) cty.Value { return cty.NumberIntVal(n) }

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func site(name string, port int64) cty.Value {
	return obj(map[string]cty.Value{
		"name":      cty.StringVal(name),
		"hostnames": cty.ListVal([]cty.Value{cty.StringVal(name + ".example.com")}),
		"port":      num(port),
	})
}

// wafValue builds an instance value like the local provider's.
func wafValue(http int64, passphrase cty.Value, sites []cty.Value, pid cty.Value) cty.Value {
	return obj(map[string]cty.Value{
		"runtime": obj(map[string]cty.Value{
			"listen": obj(map[string]cty.Value{"http": num(http), "https": cty.NullVal(cty.Number)}),
			"tls":    obj(map[string]cty.Value{"passphrase": passphrase, "certificate": cty.StringVal("shop.crt")}),
			"site":   cty.ListVal(sites),
			"tags":   cty.NullVal(cty.Map(cty.String)),
			"events": obj(map[string]cty.Value{"syslog": cty.StringVal("udp://10.0.0.9:514")}),
		}),
		"placement": obj(map[string]cty.Value{"pid": pid, "binary": cty.StringVal("/usr/lib/rampart/rampart-waf")}),
	})
}

var (
	shopSites = []cty.Value{site("shop", 8080), site("api", 9090)}
	applied   = wafValue(8081, secret("old-passphrase"), shopSites, num(4242))
)

func change(addr string, action plans.Action, before, after cty.Value) *plans.Change {
	return &plans.Change{
		Address: addr, Kind: "waf", Provider: "provider.local", Placement: "local",
		Action: action, Before: before, After: after,
	}
}

func basePlan(changes ...*plans.Change) *plans.Plan {
	return &plans.Plan{
		RampartVersion: "0.1.0-test", ConfigHash: "sha256:5f1d", StateLineage: "6f1c2a9b", StateSerial: 3,
		Changes: changes,
	}
}

func goldenPlans() map[string]*plans.Plan {
	nullWaf := cty.NullVal(applied.Type())
	updated := wafValue(8081, secret("old-passphrase"), []cty.Value{site("shop", 8080), site("api", 9191)}, num(4242))

	replace := change("waf.api", plans.DeleteThenCreate, applied, wafValue(8082, secret("old-passphrase"), shopSites, cty.UnknownVal(cty.Number)))
	replace.RequiresReplace = []cty.Path{cty.GetAttrPath("runtime").GetAttr("listen").GetAttr("http")}
	replace.Details = []string{"stop the process, then start it on the new port"}
	cbd := change("waf.edge[\"eu\"]", plans.CreateThenDelete, applied, wafValue(8081, secret("old-passphrase"), shopSites, cty.UnknownVal(cty.Number)))
	cbd.RequiresReplace = []cty.Path{cty.GetAttrPath("placement").GetAttr("pid")}

	del := change("waf.old", plans.Delete, applied, cty.NullVal(applied.Type()))
	del.Reason = "waf.old is no longer in the configuration"

	inPlace := change("waf.shop", plans.Update, applied, updated)
	inPlace.Details = []string{"reload with SIGHUP"}

	phantom := change("waf.same", plans.NoOp, applied, applied)
	withEmpty := wafValue(8081, secret("old-passphrase"), shopSites, num(4242))
	withEmpty, _ = cty.Transform(withEmpty, func(p cty.Path, v cty.Value) (cty.Value, error) {
		if len(p) == 2 && p.Equals(cty.GetAttrPath("runtime").GetAttr("tags")) {
			return cty.MapValEmpty(cty.String), nil // null before, {} now: not a change
		}
		return v, nil
	})

	drift := basePlan(inPlace)
	drift.Drift = []*plans.Drift{
		{Address: "waf.shop", Before: wafValue(8081, secret("old-passphrase"), shopSites, num(4242)), After: wafValue(8081, secret("old-passphrase"), shopSites, num(5151))},
		{Address: "waf.gone", Before: applied, After: cty.NullVal(applied.Type())},
	}

	sensitive := basePlan(
		change("waf.new", plans.Create, nullWaf, wafValue(80, secret("hunter2"), shopSites, cty.UnknownVal(cty.Number))),
		change("waf.shop", plans.Update, applied, wafValue(8081, secret("new-passphrase"), shopSites, num(4242))),
	)
	sensitive.Outputs = []*plans.OutputChange{
		{Name: "token", Action: plans.Update, Before: cty.StringVal("a"), After: cty.StringVal("b"), Sensitive: true},
		{Name: "admin_key", Action: plans.Create, Before: cty.NullVal(cty.String), After: secret("k")},
	}

	unknown := basePlan(change("waf.shop", plans.Update, applied, wafValue(8081, secret("old-passphrase"), shopSites, cty.UnknownVal(cty.Number))))
	unknown.Outputs = []*plans.OutputChange{
		{Name: "waf_address", Action: plans.Update, Before: cty.StringVal("127.0.0.1:8081"), After: cty.UnknownVal(cty.String)},
		{Name: "pid", Action: plans.Create, Before: cty.NullVal(cty.Number), After: cty.UnknownVal(cty.Number)},
	}

	listBefore := obj(map[string]cty.Value{
		"runtime": obj(map[string]cty.Value{
			"hostnames": cty.ListVal([]cty.Value{cty.StringVal("a.example"), cty.StringVal("b.example")}),
			"site":      cty.ListVal([]cty.Value{site("shop", 8080), site("api", 9090)}),
			"env":       cty.MapVal(map[string]cty.Value{"MODE": cty.StringVal("detect"), "LEVEL": cty.StringVal("1")}),
		}),
	})
	listAfter := obj(map[string]cty.Value{
		"runtime": obj(map[string]cty.Value{
			"hostnames": cty.ListVal([]cty.Value{cty.StringVal("a.example"), cty.StringVal("c.example"), cty.StringVal("b.example")}),
			"site":      cty.ListVal([]cty.Value{site("shop", 8080), site("blog", 7070), site("api", 9090)}),
			"env":       cty.MapVal(map[string]cty.Value{"MODE": cty.StringVal("block"), "LEVEL": cty.StringVal("1"), "NEW": cty.StringVal("x")}),
		}),
	})

	return map[string]*plans.Plan{
		"lists":      basePlan(change("waf.lists", plans.Update, listBefore, listAfter)),
		"create":     basePlan(change("waf.shop", plans.Create, nullWaf, wafValue(8080, cty.NullVal(cty.String), shopSites, cty.UnknownVal(cty.Number)))),
		"update":     basePlan(inPlace),
		"replace":    basePlan(replace, cbd),
		"delete":     basePlan(del),
		"sensitive":  sensitive,
		"unknown":    unknown,
		"no_changes": basePlan(phantom, change("waf.tags", plans.NoOp, applied, withEmpty)),
		"drift":      drift,
	}
}

func TestPlanGolden(t *testing.T) {
	for name, p := range goldenPlans() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Plan(&buf, p, Options{}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "plan_"+name, buf.Bytes())
		})
	}
}

func TestPlanColorGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Plan(&buf, goldenPlans()["replace"], Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "plan_replace_color", buf.Bytes())
}

func TestPlanJSONGolden(t *testing.T) {
	for _, name := range []string{"replace", "sensitive", "drift"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PlanJSON(&buf, goldenPlans()[name]); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "plan_"+name+"_json", buf.Bytes())
		})
	}
}

// No renderer may ever print a sensitive value.
func TestRenderersHideSecrets(t *testing.T) {
	for name, p := range goldenPlans() {
		var human, js bytes.Buffer
		if err := Plan(&human, p, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := PlanJSON(&js, p); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"hunter2", "old-passphrase", "new-passphrase", `"k"`, `"a"`, `"b"`} {
			if strings.Contains(human.String(), s) || strings.Contains(js.String(), s) {
				t.Errorf("plan %s shows secret %s", name, s)
			}
		}
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		v    cty.Value
		want string
	}{
		{cty.StringVal("shop"), `"shop"`},
		{cty.StringVal("a \"b\"\n${x}"), `"a \"b\"\n$${x}"`},
		{num(8080), "8080"},
		{cty.MustParseNumberVal("0.25"), "0.25"},
		{cty.True, "true"},
		{cty.NullVal(cty.String), "null"},
		{cty.NilVal, "null"},
		{cty.UnknownVal(cty.String), "(known after apply)"},
		{secret("hunter2"), "(sensitive)"},
		{cty.ListVal([]cty.Value{cty.StringVal("a"), secret("b")}), `["a", (sensitive)]`},
		{cty.ListValEmpty(cty.String), "[]"},
		{cty.EmptyObjectVal, "{}"},
		{obj(map[string]cty.Value{"http": num(80), "pid": cty.UnknownVal(cty.Number)}), "{ http = 80, pid = (known after apply) }"},
		{cty.MapVal(map[string]cty.Value{"Mirror": cty.StringVal("yes")}), `{ "Mirror" = "yes" }`},
		{obj(map[string]cty.Value{"not an ident": cty.True}), `{ "not an ident" = true }`},
	}
	for _, tt := range tests {
		if got := Value(tt.v); got != tt.want {
			t.Errorf("Value(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestSameTreatsNullAndEmptyAsEqual(t *testing.T) {
	tests := []struct {
		a, b cty.Value
		want bool
	}{
		{cty.NullVal(cty.List(cty.String)), cty.ListValEmpty(cty.String), true},
		{cty.NullVal(cty.Map(cty.String)), cty.MapValEmpty(cty.String), true},
		{obj(map[string]cty.Value{"l": cty.NullVal(cty.Set(cty.String))}), obj(map[string]cty.Value{"l": cty.SetValEmpty(cty.String)}), true},
		{cty.NilVal, cty.EmptyObjectVal, true},
		{cty.ListValEmpty(cty.String), cty.ListVal([]cty.Value{cty.StringVal("")}), false},
		{secret("a"), cty.StringVal("a"), true},
		{secret("a"), secret("b"), false},
		{cty.UnknownVal(cty.String), cty.StringVal("a"), false},
		{num(1), cty.MustParseNumberVal("1.0"), true},
	}
	for _, tt := range tests {
		if got := same(tt.a, tt.b); got != tt.want {
			t.Errorf("same(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestInstanceGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Instance(&buf, `waf.edge["eu"]`, "waf", "local", applied); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "instance", buf.Bytes())
}

func BenchmarkPlan200Updates(b *testing.B) {
	var changes []*plans.Change
	for range 200 {
		changes = append(changes, goldenPlans()["update"].Changes[0])
	}
	p := basePlan(changes...)
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Plan(&buf, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
