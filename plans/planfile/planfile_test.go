package planfile

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/plans"
)

func samplePlan() *plans.Plan {
	runtime := func(port int64, pass cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"listen":    cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(port)}),
			"tls":       cty.ObjectVal(map[string]cty.Value{"passphrase": pass}),
			"hostnames": cty.ListValEmpty(cty.String),
			"tags":      cty.NullVal(cty.Map(cty.String)),
			"sites": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"name": cty.StringVal("shop"), "key": cty.StringVal("site-key").Mark(sensitiveMark),
			})}),
		})
	}
	before := cty.ObjectVal(map[string]cty.Value{
		"runtime":   runtime(8081, cty.StringVal("old-secret").Mark(sensitiveMark)),
		"placement": cty.ObjectVal(map[string]cty.Value{"pid": cty.NumberIntVal(4242)}),
	})
	after := cty.ObjectVal(map[string]cty.Value{
		"runtime":   runtime(8082, cty.UnknownVal(cty.String).Mark(sensitiveMark)),
		"placement": cty.ObjectVal(map[string]cty.Value{"pid": cty.UnknownVal(cty.Number)}),
	})
	return &plans.Plan{
		RampartVersion: "0.1.0-test",
		CreatedAt:      time.Date(2026, 11, 21, 23, 10, 5, 0, time.UTC),
		ConfigHash:     "sha256:abc",
		StateLineage:   "0123456789abcdef0123456789abcdef",
		StateSerial:    7,
		Variables: map[string]cty.Value{
			"region": cty.StringVal("eu"),
			"ports":  cty.ListVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
		},
		Changes: []*plans.Change{
			{
				Address: "waf.api", Kind: "waf", Provider: "provider.local", Placement: "local",
				Action: plans.DeleteThenCreate, Before: before, After: after,
				RequiresReplace: []cty.Path{cty.GetAttrPath("runtime").GetAttr("listen").GetAttr("http")},
				Details:         []string{"restart the process"}, Private: []byte{1, 2, 3},
				Dependencies: []string{"gateway.dc1"}, Reason: "config changed",
			},
			{
				Address: "waf.shop", Kind: "waf", Provider: "provider.local", Placement: "local",
				Action: plans.Create, Before: cty.NullVal(after.Type()), After: after,
			},
			{
				Address: "waf.old", Kind: "waf", Provider: "provider.local", Placement: "local",
				Action: plans.Delete, Before: before, After: cty.NilVal,
			},
		},
		Drift: []*plans.Drift{{Address: "waf.old", Before: before, After: cty.NullVal(before.Type())}},
		Outputs: []*plans.OutputChange{
			{Name: "address", Action: plans.Create, Before: cty.NullVal(cty.String), After: cty.UnknownVal(cty.String)},
			{Name: "token", Action: plans.Update, Before: cty.StringVal("tok-old"), After: cty.StringVal("tok-new"), Sensitive: true},
		},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "next.plan")
	want := samplePlan()
	if err := Write(path, want); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got.RampartVersion != want.RampartVersion || !got.CreatedAt.Equal(want.CreatedAt) || got.ConfigHash != want.ConfigHash ||
		got.StateLineage != want.StateLineage || got.StateSerial != want.StateSerial || len(got.Changes) != 3 {
		t.Fatalf("header changed: %+v", got)
	}
	for name, v := range want.Variables {
		if !got.Variables[name].RawEquals(v) {
			t.Errorf("variable %s = %#v, want %#v", name, got.Variables[name], v)
		}
	}
	replace := got.Changes[0]
	if replace.Action != plans.DeleteThenCreate || replace.Reason != "config changed" || replace.Details[0] != "restart the process" ||
		string(replace.Private) != "\x01\x02\x03" || replace.Dependencies[0] != "gateway.dc1" {
		t.Errorf("change fields changed: %+v", replace)
	}
	if len(replace.RequiresReplace) != 1 || !replace.RequiresReplace[0].Equals(want.Changes[0].RequiresReplace[0]) {
		t.Errorf("requires replace = %#v", replace.RequiresReplace)
	}
	// Unknowns, nulls, empty collections and marks survive; secrets come back as marked nulls.
	wantAfter := redacted(t, want.Changes[0].After)
	if !replace.After.RawEquals(wantAfter) {
		t.Errorf("after:\n got %#v\nwant %#v", replace.After, wantAfter)
	}
	pass := cty.GetAttrPath("runtime").GetAttr("tls").GetAttr("passphrase")
	gotPass, _ := pass.Apply(replace.Before)
	if !gotPass.RawEquals(cty.NullVal(cty.String).Mark(sensitiveMark)) {
		t.Errorf("sensitive before passphrase = %#v, want a marked null", gotPass)
	}
	if got.Changes[2].After != cty.NilVal {
		t.Errorf("NilVal after = %#v", got.Changes[2].After)
	}
	if !got.Drift[0].After.RawEquals(want.Drift[0].After) {
		t.Errorf("drift after = %#v", got.Drift[0].After)
	}
	token := got.Outputs[1]
	if !token.Sensitive || !token.After.IsNull() || !got.Outputs[0].After.RawEquals(cty.UnknownVal(cty.String)) {
		t.Errorf("outputs = %#v %#v", got.Outputs[0], token)
	}
}

func TestWriteNeverStoresSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "next.plan")
	if err := Write(path, samplePlan()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %o, want 600", st.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("plan file is not gzip: %v", err)
	}
	plain, _ := io.ReadAll(zr)
	for _, secret := range []string{"old-secret", "site-key", "tok-old", "tok-new"} {
		if bytes.Contains(plain, []byte(secret)) {
			t.Errorf("plan file holds %q in clear", secret)
		}
	}
	if !bytes.Contains(plain, []byte(`"sensitive_paths"`)) {
		t.Errorf("plan file lost the sensitive paths")
	}
}

func TestReadRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	gz := func(s string) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.String()
	}
	tests := []struct {
		name, content, want string
	}{
		{"hcl", `waf "shop" {}`, "is not a rampart plan file (not JSON)"},
		{"other json", `{"format_version": 1}`, "is not a rampart plan file (no rampart plan header)"},
		{"newer", gz(`{"format": "rampart-plan", "format_version": 9}`),
			"is not a rampart plan file (plan file format version 9, this rampart reads version 1: run rampart plan again)"},
		{"broken gzip", "\x1f\x8b\x08garbage", "is not a rampart plan file (damaged gzip"},
		{"bad action", `{"format": "rampart-plan", "format_version": 1, "changes": [{"address": "waf.x", "action": "explode"}]}`,
			`unknown action "explode"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".plan")
			os.WriteFile(path, []byte(tt.content), 0o600)
			_, err := Read(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Read = %v, want an error naming %s and containing %q", err, path, tt.want)
			}
		})
	}
}

func BenchmarkWriteRead(b *testing.B) {
	p := samplePlan()
	for range 200 {
		p.Changes = append(p.Changes, p.Changes[0])
	}
	path := filepath.Join(b.TempDir(), "next.plan")
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(path, p); err != nil {
			b.Fatal(err)
		}
		if _, err := Read(path); err != nil {
			b.Fatal(err)
		}
	}
}

// redacted is v as a plan file keeps it: known sensitive values become marked nulls.
func redacted(t *testing.T, v cty.Value) cty.Value {
	t.Helper()
	out, err := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if v.HasMark(sensitiveMark) && v.IsKnown() {
			return cty.NullVal(v.Type()).Mark(sensitiveMark), nil
		}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
