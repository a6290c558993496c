package schema

import (
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalString evaluates an HCL expression with the configuration functions.
func evalExpr(t *testing.T, baseDir, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags.Error())
	}
	return expr.Value(&hcl.EvalContext{Functions: Functions(baseDir)})
}

func TestFunctionsTheLanguagePromises(t *testing.T) {
	promised := []string{
		"abs", "ceil", "floor", "max", "min", "parseint", "pow", "signum",
		"chomp", "format", "formatlist", "indent", "join", "lower", "upper", "replace", "regex", "regexall",
		"split", "strrev", "substr", "title", "trim", "trimprefix", "trimsuffix", "trimspace",
		"concat", "contains", "distinct", "element", "flatten", "keys", "length", "lookup", "merge", "range",
		"reverse", "setintersection", "setproduct", "setunion", "slice", "sort", "values", "zipmap",
		"coalesce", "coalescelist", "compact", "chunklist", "jsondecode", "jsonencode", "csvdecode",
		"tostring", "tonumber", "tobool", "tolist", "toset", "tomap", "try", "can",
		"base64encode", "base64decode", "sha256", "file", "fileexists", "templatefile",
		"cidrsubnet", "cidrhost", "cidrnetmask",
	}
	funcs := Functions(".")
	for _, name := range promised {
		if _, ok := funcs[name]; !ok {
			t.Errorf("function %s is missing", name)
		}
	}
}

func TestFunctionResults(t *testing.T) {
	cases := []struct {
		expr string
		want cty.Value
	}{
		{`length("héllo")`, cty.NumberIntVal(5)},
		{`length(["a", "b"])`, cty.NumberIntVal(2)},
		{`length({a = 1})`, cty.NumberIntVal(1)},
		{`length(tomap({a = 1, b = 2}))`, cty.NumberIntVal(2)},
		{`replace("a-b-c", "-", "_")`, cty.StringVal("a_b_c")},
		{`replace("a1b22c", "/[0-9]+/", ".")`, cty.StringVal("a.b.c")},
		{`strrev("abc")`, cty.StringVal("cba")},
		{`reverse([1, 2])`, cty.TupleVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(1)})},
		{`base64encode("rampart")`, cty.StringVal("cmFtcGFydA==")},
		{`base64decode("cmFtcGFydA==")`, cty.StringVal("rampart")},
		{`sha256("abc")`, cty.StringVal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
		{`tostring(80)`, cty.StringVal("80")},
		{`tonumber("80")`, cty.NumberIntVal(80)},
		{`try(tonumber("x"), 8080)`, cty.NumberIntVal(8080)},
		{`can(tonumber("x"))`, cty.False},
		{`file("hello.txt")`, cty.StringVal("line one\n")},
		{`fileexists("hello.txt")`, cty.True},
		{`fileexists("absent.txt")`, cty.False},
		{`templatefile("template.tmpl", { port = 80, hosts = ["a", "b"] })`, cty.StringVal("listen 80 for a b \n")},
		{`jsonencode({ a = 1 })`, cty.StringVal(`{"a":1}`)},
		{`format("%s:%d", "host", 80)`, cty.StringVal("host:80")},
	}
	for _, tc := range cases {
		got, diags := evalExpr(t, "testdata/functions", tc.expr)
		if diags.HasErrors() {
			t.Errorf("%s: %s", tc.expr, diags.Error())
			continue
		}
		if !got.RawEquals(tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
}

func TestFunctionErrors(t *testing.T) {
	dir := filepath.Join("testdata", "functions")
	cases := []struct {
		expr string
		want string
	}{
		{`file("missing.pem")`, `test.hcl:1,7-18: Invalid function argument; Invalid value for "path" parameter: no file exists at "missing.pem"; a relative path is relative to the configuration directory testdata/functions.`},
		{`file("binary.bin")`, `test.hcl:1,7-17: Invalid function argument; Invalid value for "path" parameter: the contents of "binary.bin" are not UTF-8 text.`},
		{`base64decode("!!")`, `test.hcl:1,15-17: Invalid function argument; Invalid value for "str" parameter: not valid Base64: illegal base64 data at input byte 0.`},
		{`cidrsubnet("10.0.0.0/8", 8, 256)`, `test.hcl:1,29-32: Invalid function argument; Invalid value for "netnum" parameter: a prefix extended by 8 bits has subnets numbered 0 to 255, not 256.`},
		{`cidrsubnet("10.0.0.0/30", 3, 0)`, `test.hcl:1,27-28: Invalid function argument; Invalid value for "newbits" parameter: cannot extend a prefix of length 30 by 3 bits: an IPv4 address has 32 bits.`},
		{`cidrhost("10.0.0.0/30", 4)`, `test.hcl:1,25-26: Invalid function argument; Invalid value for "hostnum" parameter: prefix 10.0.0.0/30 has 4 addresses, numbered 0 to 3 (or -1 back to -4); 4 is outside.`},
		{`cidrhost("10.0.0.0/30", 1.5)`, `test.hcl:1,25-28: Invalid function argument; Invalid value for "hostnum" parameter: 1.5 is not a whole number.`},
		{`cidrnetmask("10.0.0.0")`, `test.hcl:1,14-22: Invalid function argument; Invalid value for "prefix" parameter: "10.0.0.0" is not a CIDR prefix like 10.0.0.0/8 or fd00::/8.`},
	}
	for _, tc := range cases {
		_, diags := evalExpr(t, dir, tc.expr)
		assertDiags(t, diags, []string{tc.want})
	}
}

func TestCIDRFunctions(t *testing.T) {
	cases := []struct {
		expr string
		want string
	}{
		// Results of Terraform's functions of the same names.
		{`cidrsubnet("10.0.0.0/8", 8, 2)`, "10.2.0.0/16"},
		{`cidrsubnet("172.16.0.0/12", 4, 2)`, "172.18.0.0/16"},
		{`cidrsubnet("10.1.2.0/24", 4, 15)`, "10.1.2.240/28"},
		{`cidrsubnet("10.1.2.3/24", 0, 0)`, "10.1.2.0/24"},
		{`cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)`, "fd00:fd12:3456:7800:a200::/72"},
		{`cidrsubnet("2001:db8::/32", 16, 1)`, "2001:db8:1::/48"},
		{`cidrhost("10.12.112.0/20", 16)`, "10.12.112.16"},
		{`cidrhost("10.12.112.0/20", 268)`, "10.12.113.12"},
		{`cidrhost("10.12.112.0/20", -1)`, "10.12.127.255"},
		{`cidrhost("192.168.1.0/32", 0)`, "192.168.1.0"},
		{`cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)`, "fd00:fd12:3456:7890::22"},
		{`cidrhost("2001:db8::/64", -2)`, "2001:db8::ffff:ffff:ffff:fffe"},
		{`cidrnetmask("172.16.0.0/12")`, "255.240.0.0"},
		{`cidrnetmask("10.0.0.0/32")`, "255.255.255.255"},
		{`cidrnetmask("0.0.0.0/0")`, "0.0.0.0"},
		{`cidrnetmask("2001:db8::/40")`, "ffff:ffff:ff00::"},
	}
	for _, tc := range cases {
		got, diags := evalExpr(t, ".", tc.expr)
		if diags.HasErrors() {
			t.Errorf("%s: %s", tc.expr, diags.Error())
			continue
		}
		if got.AsString() != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, got.AsString(), tc.want)
		}
	}
}

func BenchmarkCIDRSubnet(b *testing.B) {
	expr, _ := hclsyntax.ParseExpression([]byte(`cidrsubnet("fd00::/48", 16, 4242)`), "bench.hcl", hcl.InitialPos)
	ctx := &hcl.EvalContext{Functions: Functions(".")}
	for b.Loop() {
		if _, diags := expr.Value(ctx); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	}
}

func TestLengthKeepsMarksAndUnknowns(t *testing.T) {
	length := Functions(".")["length"]
	got, err := length.Call([]cty.Value{cty.StringVal("secret").Mark(SensitiveMark)})
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasMark(SensitiveMark) {
		t.Error("the length of a sensitive value must stay sensitive")
	}
	got, err = length.Call([]cty.Value{cty.UnknownVal(cty.List(cty.String))})
	if err != nil {
		t.Fatal(err)
	}
	if got.IsKnown() || got.Type() != cty.Number {
		t.Errorf("length(unknown) = %#v, want an unknown number", got)
	}
}
