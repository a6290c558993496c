package schema

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// loadOne loads a configuration with a single appliance and decodes its runtime body
// without variables, returning the appliance, the decoded value and the decode diagnostics.
func loadOne(t *testing.T, src string) (*Appliance, cty.Value, hcl.Diagnostics) {
	t.Helper()
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": src}))
	if diags.HasErrors() {
		t.Fatalf("load: %s", diags.Error())
	}
	if len(c.Appliances) != 1 {
		t.Fatalf("want one appliance, got %d", len(c.Appliances))
	}
	a := c.Appliances[0]
	v, diags := hcldec.Decode(a.Runtime, RuntimeSpec(a.Kind), nil)
	return a, v, diags
}

// Errors in runtime bodies come from HCL itself when the engine decodes Runtime with
// RuntimeSpec; these cases pin the messages users see.
func TestRuntimeDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "misspelled attribute",
			src:  "waf \"shop\" {\n  listen {\n    htp = 80\n  }\n}\n",
			want: []string{`main.hcl:3,5-8: Unsupported argument; An argument named "htp" is not expected here. Did you mean "http"?`},
		},
		{
			name: "wrong type",
			src:  "waf \"shop\" {\n  listen {\n    http = \"eighty\"\n  }\n}\n",
			want: []string{`main.hcl:3,12-20: Incorrect attribute value type; Inappropriate value for attribute "http": a number is required.`},
		},
		{
			name: "attribute written as a block",
			src:  "scanner \"dmz\" {\n  targets {\n  }\n}\n",
			want: []string{`main.hcl:2,3-10: Unsupported block type; Blocks of type "targets" are not expected here. Did you mean to define argument "targets"? If so, use the equals sign to assign it a value.`},
		},
		{
			name: "missing required attribute",
			src:  "waf \"shop\" {\n  server_pool \"app\" {\n    member {}\n  }\n}\n",
			want: []string{`main.hcl:3,12-12: Missing required argument; The argument "address" is required, but no definition was found.`},
		},
		{
			name: "missing block label",
			src:  "waf \"shop\" {\n  site {\n    pool = \"app\"\n  }\n}\n",
			want: []string{`main.hcl:2,8-9: Missing name for site; All site blocks must have 1 labels (name).`},
		},
		{
			name: "unknown top-level attribute",
			src:  "gateway \"dc1\" {\n  allowed_domain = [\"a.example\"]\n}\n",
			want: []string{`main.hcl:2,3-17: Unsupported argument; An argument named "allowed_domain" is not expected here. Did you mean "allowed_domains"?`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Schemas come from Go maps; repeating shows the suggestions do not depend on
			// map order.
			for range 10 {
				_, _, diags := loadOne(t, tc.src)
				assertDiags(t, diags, tc.want)
			}
		})
	}
}

// Meta-arguments, lifecycle, the placement and misspelled blocks already reported by Load
// are not part of Runtime, so decoding it reports nothing twice.
func TestRuntimeBodyExcludesMetaAndPlacement(t *testing.T) {
	src := `waf "shop" {
  count      = 1
  depends_on = [gateway.dc1]
  lisen {}
  lisen {}
  listen { http = 80 }
  site "s" { pool = "p" }
  lifecycle { prevent_destroy = true }
  docker {
    provider = docker.dmz
    image    = "x"
  }
}
`
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": src}))
	assertDiags(t, diags, []string{
		`main.hcl:4,3-8: Unsupported block type; Blocks of type "lisen" are not expected here. Did you mean "listen"?`,
		`main.hcl:5,3-8: Unsupported block type; Blocks of type "lisen" are not expected here. Did you mean "listen"?`,
	})
	a := c.Appliances[0]
	v, diags := hcldec.Decode(a.Runtime, RuntimeSpec("waf"), nil)
	assertDiags(t, diags, nil)
	if got := v.GetAttr("listen").GetAttr("http"); !got.RawEquals(cty.NumberIntVal(80)) {
		t.Errorf("listen.http = %#v, want 80", got)
	}
	if a.Placement == nil || a.Placement.Type != "docker" || a.Placement.ProviderRef.Addr() != "provider.docker.dmz" {
		t.Fatalf("placement = %+v", a.Placement)
	}
	attrs, diags := a.Placement.Body.JustAttributes()
	assertDiags(t, diags, nil)
	if len(attrs) != 1 || attrs["image"] == nil {
		t.Errorf("placement body attributes = %v, want only image", sortedKeys(attrs))
	}
}

func TestValidateRuntime(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "valid",
			src:  "waf \"shop\" {\n  listen { http = 80 }\n  server_pool \"app\" {}\n  site \"shop\" { pool = \"app\" }\n}\n",
		},
		{
			name: "attribute, labelled block and whole appliance",
			src: `waf "shop" {
  listen {
    http  = 70000
    https = -1
  }
  server_pool "app" {
    load_balancing = "random"
  }
}
`,
			want: []string{
				`main.hcl:1,1-11: Invalid waf configuration; declare at least one site`,
				`main.hcl:3,13-18: Invalid waf configuration; port 70000 is out of range 1-65535`,
				`main.hcl:4,13-15: Invalid waf configuration; port -1 is out of range 1-65535`,
				`main.hcl:7,22-30: Invalid waf configuration; "random" is not one of roundrobin, leastconn, source`,
			},
		},
		{
			name: "path through labelled and positional blocks",
			src: `waf "shop" {
  listen { http = 80 }
  server_pool "app" {
    member { address = "10.0.0.1:80" }
    member { address = "nowhere" }
  }
  site "blog" {
    hostnames = ["blog.example.com"]
    pool      = "app"
  }
  site "shop" {
    hostnames = ["shop.example.com"]
    pool      = "missing"
  }
}
`,
			want: []string{
				`main.hcl:5,24-33: Invalid waf configuration; "nowhere" is not host:port`,
				`main.hcl:13,17-26: Invalid waf configuration; no server_pool named "missing"`,
			},
		},
		{
			name: "block named by the path",
			src:  "waf \"shop\" {\n  listen {\n    address = \"127.0.0.1\"\n  }\n  server_pool \"app\" {}\n  site \"shop\" { pool = \"app\" }\n}\n",
			want: []string{`main.hcl:2,3-9: Invalid waf configuration; set at least one of http or https`},
		},
		{
			name: "list element named by the path",
			src:  "gateway \"dc1\" {\n  allowed_domains = [\"ok.example\", \"bad/domain\"]\n}\n",
			want: []string{`main.hcl:2,36-48: Invalid gateway configuration; "bad/domain" is not a domain name (character '/')`},
		},
		{
			name: "number that is not whole",
			src:  "cdr_sensor \"vpc\" {\n  listen { vxlan = 4789.5 }\n}\n",
			want: []string{`main.hcl:2,20-26: Invalid cdr_sensor configuration; a whole number is required, not number 4789.5.`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, v, diags := loadOne(t, tc.src)
			assertDiags(t, diags, nil)
			assertDiags(t, ValidateRuntime(a, v), tc.want)
		})
	}
}

func TestValidateRuntimeSkipsUnknownValues(t *testing.T) {
	a, _, _ := loadOne(t, "waf \"shop\" {}\n")
	v := cty.ObjectVal(map[string]cty.Value{"listen": cty.UnknownVal(cty.Object(map[string]cty.Type{"http": cty.Number}))})
	if diags := ValidateRuntime(a, v); len(diags) != 0 {
		t.Errorf("an unknown value must pass until it is known, got %s", diags.Error())
	}
}

func TestValidateRuntimeIgnoresSensitiveMarks(t *testing.T) {
	a, v, diags := loadOne(t, "gateway \"dc1\" {\n  allowed_domains = [\"bad domain\"]\n}\n")
	assertDiags(t, diags, nil)
	assertDiags(t, ValidateRuntime(a, v.Mark(SensitiveMark)), []string{
		`main.hcl:2,22-34: Invalid gateway configuration; "bad domain" is not a domain name (character ' ')`,
	})
}

func TestSplitFieldError(t *testing.T) {
	cases := []struct {
		in      string
		steps   []pathStep
		message string
		ok      bool
	}{
		{"listen.http: bad", []pathStep{{name: "listen", position: -1}, {name: "http", position: -1}}, "bad", true},
		{`site["a: b"].pool: no: pool`, []pathStep{{name: "site", label: "a: b", position: -1}, {name: "pool", position: -1}}, "no: pool", true},
		{"member[3]: x", []pathStep{{name: "member", position: 3}}, "x", true},
		{"decode waf config: json: oops", nil, "", false},
		{"site[: x", nil, "", false},
		{`site["open: x`, nil, "", false},
		{"site[-1]: x", nil, "", false},
		{"listen.: x", nil, "", false},
		{"", nil, "", false},
	}
	for _, tc := range cases {
		steps, message, ok := splitFieldError(tc.in)
		if ok != tc.ok || message != tc.message || len(steps) != len(tc.steps) {
			t.Errorf("splitFieldError(%q) = %v, %q, %v", tc.in, steps, message, ok)
			continue
		}
		for i := range steps {
			if steps[i] != tc.steps[i] {
				t.Errorf("splitFieldError(%q) step %d = %+v, want %+v", tc.in, i, steps[i], tc.steps[i])
			}
		}
	}
}

// exerciseRuntime decodes and validates an appliance's runtime body without variables,
// as the fuzz target does for every appliance it manages to load.
func exerciseRuntime(a *Appliance) {
	v, diags := hcldec.Decode(a.Runtime, RuntimeSpec(a.Kind), nil)
	if diags.HasErrors() {
		return
	}
	ValidateRuntime(a, v)
}
