package schema

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./schema -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run go test ./schema -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// diagStrings is the Error() text of each diagnostic: file:line,col-col: summary; detail.
func diagStrings(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		prefix := ""
		if d.Severity == hcl.DiagWarning {
			prefix = "warning: "
		}
		out = append(out, prefix+d.Error())
	}
	return out
}

func assertDiags(t *testing.T, diags hcl.Diagnostics, want []string) {
	t.Helper()
	got := diagStrings(diags)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\ngot:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestLoadFullConfiguration(t *testing.T) {
	c, diags := Load("testdata/load/full")
	assertDiags(t, diags, nil)
	checkGolden(t, "testdata/load/full.golden", []byte(renderConfig(t, c)))
}

// renderConfig describes a loaded configuration in text, decoding each runtime body with
// a context good enough for the full example.
func renderConfig(t *testing.T, c *Config) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "files: %s\n", strings.Join(sortedKeys(c.Files), " "))
	if r := c.Rampart; r != nil {
		fmt.Fprintf(&b, "rampart (%s): required_version=%q", r.DeclRange, r.RequiredVersion)
		if r.Backend != nil {
			attrs, _ := r.Backend.Body.JustAttributes()
			fmt.Fprintf(&b, " backend=%s attributes=%v", r.Backend.Type, sortedKeys(attrs))
		}
		b.WriteString("\n")
	}
	for _, p := range c.Providers {
		attrs, _ := p.Body.JustAttributes() // nested tls block makes this complain; names are enough
		fmt.Fprintf(&b, "%s (%s): attributes=%v\n", p.Addr(), p.DeclRange, sortedKeys(attrs))
	}
	for _, name := range sortedKeys(c.Variables) {
		v := c.Variables[name]
		def := "none"
		if v.Default != cty.NilVal {
			def = ctyJSON(t, v.Default)
		}
		fmt.Fprintf(&b, "variable %s (%s): type=%s default=%s sensitive=%v validations=%d description=%q\n",
			name, v.DeclRange, typeString(v.Type), def, v.Sensitive, len(v.Validations), v.Description)
	}
	for _, name := range sortedKeys(c.Locals) {
		fmt.Fprintf(&b, "local %s (%s)\n", name, c.Locals[name].DeclRange)
	}
	for _, name := range sortedKeys(c.Outputs) {
		o := c.Outputs[name]
		fmt.Fprintf(&b, "output %s (%s): sensitive=%v depends_on=%v description=%q\n", name, o.DeclRange, o.Sensitive, traversals(o.DependsOn), o.Description)
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":   cty.ObjectVal(map[string]cty.Value{"http_port": cty.NumberIntVal(80)}),
			"local": cty.ObjectVal(map[string]cty.Value{"shop_hosts": cty.ListVal([]cty.Value{cty.StringVal("shop.example.com")})}),
			"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(0)}),
			"each":  cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("a"), "value": cty.StringVal("a")}),
		},
		Functions: Functions(c.Dir),
	}
	for _, a := range c.Appliances {
		fmt.Fprintf(&b, "%s (%s, kind at %s)\n", a.Addr(), a.DeclRange, a.TypeRange)
		fmt.Fprintf(&b, "  count=%v for_each=%v depends_on=%v\n", a.Count != nil, a.ForEach != nil, traversals(a.DependsOn))
		l := a.Lifecycle
		fmt.Fprintf(&b, "  lifecycle: prevent_destroy=%v create_before_destroy=%v ignore_changes=%v\n", l.PreventDestroy, l.CreateBeforeDestroy, traversals(l.IgnoreChanges))
		if p := a.Placement; p != nil {
			attrs, _ := p.Body.JustAttributes()
			ref := "default"
			if p.ProviderRef != nil {
				ref = p.ProviderRef.Addr() + " at " + p.ProviderRef.Range.String()
			}
			fmt.Fprintf(&b, "  placement %s (%s): provider=%s attributes=%v\n", p.Type, p.DeclRange, ref, sortedKeys(attrs))
		} else {
			b.WriteString("  placement: none\n")
		}
		v, diags := hcldec.Decode(a.Runtime, RuntimeSpec(a.Kind), ctx)
		if diags.HasErrors() {
			t.Fatalf("decode %s: %s", a.Addr(), diags.Error())
		}
		fmt.Fprintf(&b, "  runtime: %s\n", ctyJSON(t, v))
		if diags := ValidateRuntime(a, v); len(diags) > 0 {
			fmt.Fprintf(&b, "  validation: %v\n", diagStrings(diags))
		}
	}
	return b.String()
}

func ctyJSON(t *testing.T, v cty.Value) string {
	t.Helper()
	data, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func traversals(list []hcl.Traversal) []string {
	var out []string
	for _, tr := range list {
		var s strings.Builder
		for _, step := range tr {
			switch step := step.(type) {
			case hcl.TraverseRoot:
				s.WriteString(step.Name)
			case hcl.TraverseAttr:
				if s.Len() > 0 {
					s.WriteString(".")
				}
				s.WriteString(step.Name)
			default:
				s.WriteString("[…]")
			}
		}
		out = append(out, s.String())
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeConfig creates a configuration directory with the given files.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirectoryProblems(t *testing.T) {
	empty := writeConfig(t, map[string]string{"only.vars.hcl": "a = 1\n", ".rampart.lock.hcl": "x"})
	c, diags := Load(empty)
	if c == nil {
		t.Fatal("Load must return a Config even on error")
	}
	assertDiags(t, diags, []string{
		"<nil>: No configuration files; The directory " + empty + " contains no *.hcl configuration files. Run rampart in the directory of your configuration, or add a main.hcl.",
	})

	missing := filepath.Join(t.TempDir(), "absent")
	_, diags = Load(missing)
	assertDiags(t, diags, []string{
		"<nil>: Failed to read configuration directory; Cannot list the *.hcl files of " + missing + ": open " + missing + ": no such file or directory.",
	})
}

func TestLoadDecodesOtherFilesWhenOneDoesNotParse(t *testing.T) {
	c, diags := Load(writeConfig(t, map[string]string{
		"a.hcl": "waf \"shop\" {\n",
		"b.hcl": "gateway \"dc1\" {}\n",
	}))
	assertDiags(t, diags, []string{
		`a.hcl:1,12-13: Unclosed configuration block; There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.`,
	})
	if len(c.Appliances) != 1 || c.Appliances[0].Addr() != "gateway.dc1" {
		t.Errorf("appliances = %v, want gateway.dc1 from the file that parses", c.Appliances)
	}
	if c.Files["a.hcl"] == nil || c.Sources["a.hcl"] == nil {
		t.Error("a file that does not parse must still be in Files and Sources, for snippets")
	}
}

func TestSourceHash(t *testing.T) {
	files := map[string]string{"a.hcl": "waf \"shop\" {}\n", "b.hcl": "gateway \"dc1\" {}\n"}
	hash := func(files map[string]string) string {
		c, diags := Load(writeConfig(t, files))
		assertDiags(t, diags, nil)
		return c.SourceHash()
	}
	base := hash(files)
	if !strings.HasPrefix(base, "sha256:") || len(base) != len("sha256:")+64 {
		t.Fatalf("SourceHash = %q, want sha256:<64 hex digits>", base)
	}
	if again := hash(files); again != base {
		t.Errorf("the same files hash differently: %s, %s", base, again)
	}
	changed := map[string]string{"a.hcl": "waf \"shop\" {}\n", "b.hcl": "gateway \"dc2\" {}\n"}
	renamed := map[string]string{"a.hcl": "waf \"shop\" {}\n", "c.hcl": "gateway \"dc1\" {}\n"}
	withVars := map[string]string{"a.hcl": "waf \"shop\" {}\n", "b.hcl": "gateway \"dc1\" {}\n", "x.vars.hcl": "a = 1\n"}
	if hash(changed) == base || hash(renamed) == base {
		t.Error("changing a file's content or name must change the hash")
	}
	if hash(withVars) != base {
		t.Error("variable files are not configuration source and must not change the hash")
	}
}

func TestAddresses(t *testing.T) {
	cases := []struct{ got, want string }{
		{(&Provider{Type: "docker"}).Addr(), "provider.docker"},
		{(&Provider{Type: "docker", Alias: "dmz"}).Addr(), "provider.docker.dmz"},
		{(&ProviderRef{Type: "docker"}).Addr(), "provider.docker"},
		{(&ProviderRef{Type: "docker", Alias: "dmz"}).Addr(), "provider.docker.dmz"},
		{(&Appliance{Kind: "waf", Name: "shop"}).Addr(), "waf.shop"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
