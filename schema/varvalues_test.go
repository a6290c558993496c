package schema

import (
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestVariablePrecedence(t *testing.T) {
	decls := ""
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		decls += "variable \"" + name + "\" {\n  default = \"default\"\n}\n"
	}
	dir := writeConfig(t, map[string]string{
		"main.hcl":      decls,
		"1.vars.hcl":    "c = \"first dir file\"\nd = \"dir\"\ne = \"dir\"\n",
		"2.vars.hcl":    "c = \"dir\"\n",
		"extra.hclvars": "d = \"var-file\"\ne = \"var-file\"\n",
	})
	c, diags := Load(dir)
	assertDiags(t, diags, nil)
	values, diags := LoadVariableValues(c, VarOptions{
		Environ:  []string{"PATH=/bin", "RAMPART_VAR_b=env", "RAMPART_VAR_c=env", "RAMPART_VAR_d=env", "RAMPART_VAR_e=env"},
		VarFiles: []string{filepath.Join(dir, "extra.hclvars")},
		Vars:     []string{"e=first cli", "e=cli"},
	})
	assertDiags(t, diags, nil)
	want := map[string]string{"a": "default", "b": "env", "c": "dir", "d": "var-file", "e": "cli"}
	for name, w := range want {
		if got := values[name]; !got.RawEquals(cty.StringVal(w)) {
			t.Errorf("var.%s = %#v, want %q", name, got, w)
		}
	}
}

func TestVariableValuesAreConvertedToTheirType(t *testing.T) {
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": `
variable "port" { type = number }
variable "hosts" { type = list(string) }
variable "name" { type = string }
variable "untyped" {}
variable "settings" {
  type    = object({ replicas = number, zone = string })
  default = { replicas = "3", zone = "eu" }
}
`}))
	assertDiags(t, diags, nil)
	values, diags := LoadVariableValues(c, VarOptions{
		Environ: []string{"RAMPART_VAR_port=8080", `RAMPART_VAR_hosts=["a", "b"]`},
		Vars:    []string{`name=["not", "a", "list"]`, "untyped=1 + 1"},
	})
	assertDiags(t, diags, nil)
	want := map[string]cty.Value{
		"port":     cty.NumberIntVal(8080),
		"hosts":    cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"name":     cty.StringVal(`["not", "a", "list"]`),
		"untyped":  cty.StringVal("1 + 1"),
		"settings": cty.ObjectVal(map[string]cty.Value{"replicas": cty.NumberIntVal(3), "zone": cty.StringVal("eu")}),
	}
	for name, w := range want {
		if got := values[name]; !got.RawEquals(w) {
			t.Errorf("var.%s = %#v, want %#v", name, got, w)
		}
	}
}

func TestVariableValueErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		opts  VarOptions
		want  []string
	}{
		{
			name:  "required variable without value",
			files: map[string]string{"main.hcl": "variable \"token\" {\n  type = string\n}\n"},
			want:  []string{`main.hcl:1,1-17: No value for required variable "token"; Variable "token" has no default, so it needs a value: pass -var 'token=...', set token = ... in a .vars.hcl file, or set the environment variable RAMPART_VAR_token.`},
		},
		{
			name:  "undeclared variables",
			files: map[string]string{"main.hcl": "variable \"a\" {\n  default = 1\n}\n", "x.vars.hcl": "a = 2\nb = 3\n"},
			opts:  VarOptions{Environ: []string{"RAMPART_VAR_c=4"}, Vars: []string{"d=5"}},
			want: []string{
				`warning: <nil>: Value for undeclared variable; the environment variable RAMPART_VAR_c is set, but no variable "c" is declared; the value is ignored. Declare the variable, or unset the environment variable.`,
				`warning: x.vars.hcl:2,1-2: Value for undeclared variable; x.vars.hcl sets "b", but no variable "b" is declared; the value is ignored. Declare the variable, or remove the assignment.`,
				`<nil>: Value for undeclared variable; The option -var sets "d", but no variable "d" is declared. Declare it with a variable "d" { } block, or remove the option.`,
			},
		},
		{
			name:  "malformed -var",
			files: map[string]string{"main.hcl": "variable \"a\" {\n  default = 1\n}\n"},
			opts:  VarOptions{Vars: []string{"a"}},
			want:  []string{`<nil>: Invalid -var option; The option -var "a" is not a variable name and a value separated by an equals sign, like -var 'region=eu-west-1'.`},
		},
		{
			name:  "value of the wrong type",
			files: map[string]string{"main.hcl": "variable \"port\" {\n  type = number\n}\nvariable \"ports\" {\n  type = list(number)\n}\nvariable \"on\" {\n  type = bool\n}\n", "x.vars.hcl": "port = \"eighty\"\n"},
			opts:  VarOptions{Vars: []string{"ports=[80,", "on=yes"}},
			want: []string{
				`<nil>: Invalid value for variable "ports"; The value from the -var option cannot be read as list(number): <value for var.ports>:1,5-5: Missing expression; Expected the start of an expression, but found the end of the file.`,
				`<nil>: Invalid value for variable "on"; The value from the -var option must be a literal value, such as true, 80, "text" or ["a", "b"]: <value for var.on>:1,1-4: Variables not allowed; Variables may not be used here.`,
				`x.vars.hcl:1,8-16: Invalid value for variable "port"; The value from x.vars.hcl does not match the type number: a number is required.`,
			},
		},
		{
			name: "failed validation",
			files: map[string]string{"main.hcl": `variable "port" {
  type = number
  validation {
    condition     = var.port > 1024
    error_message = "Use an unprivileged port, above 1024."
  }
  validation {
    condition     = var.port < 65536
    error_message = "A port is at most 65535."
  }
}
`},
			opts: VarOptions{Vars: []string{"port=80"}},
			want: []string{"main.hcl:1,1-16: Invalid value for variable; Use an unprivileged port, above 1024.\n\nThis was checked by the validation rule at main.hcl:3,3-13."},
		},
		{
			name:  "missing var file",
			files: map[string]string{"main.hcl": "variable \"a\" {\n  default = 1\n}\n"},
			opts:  VarOptions{VarFiles: []string{"/nonexistent/prod.hclvars"}},
			want:  []string{`<nil>: Failed to read variables file; Cannot read /nonexistent/prod.hclvars: open /nonexistent/prod.hclvars: no such file or directory.`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, diags := Load(writeConfig(t, tc.files))
			assertDiags(t, diags, nil)
			_, diags = LoadVariableValues(c, tc.opts)
			assertDiags(t, diags, tc.want)
		})
	}
}

func TestValidationPasses(t *testing.T) {
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": `variable "cidr" {
  default = "10.0.0.0/8"
  validation {
    condition     = can(cidrnetmask(var.cidr)) && length(var.cidr) > 0
    error_message = "Not a CIDR prefix."
  }
}
`}))
	assertDiags(t, diags, nil)
	values, diags := LoadVariableValues(c, VarOptions{})
	assertDiags(t, diags, nil)
	if !values["cidr"].RawEquals(cty.StringVal("10.0.0.0/8")) {
		t.Errorf("var.cidr = %#v", values["cidr"])
	}
}

func TestSensitiveVariablesAreMarked(t *testing.T) {
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": `variable "secret" {
  sensitive = true
  validation {
    condition     = length(var.secret) >= 8
    error_message = "Too short."
  }
}
variable "plain" {
  default = "x"
}
`}))
	assertDiags(t, diags, nil)
	values, diags := LoadVariableValues(c, VarOptions{Environ: []string{"RAMPART_VAR_secret=hunter22"}})
	assertDiags(t, diags, nil)
	if !values["secret"].HasMark(SensitiveMark) {
		t.Error("a sensitive variable's value must carry the sensitive mark")
	}
	if values["plain"].IsMarked() {
		t.Error("a plain variable's value must not be marked")
	}
	if got, _ := values["secret"].Unmark(); !got.RawEquals(cty.StringVal("hunter22")) {
		t.Errorf("var.secret = %#v", got)
	}
}

func TestVariableFilesBecomeDiagnosticSources(t *testing.T) {
	c, diags := Load(writeConfig(t, map[string]string{"main.hcl": "variable \"a\" {}\n", "a.vars.hcl": "a = 1\n"}))
	assertDiags(t, diags, nil)
	if _, diags := LoadVariableValues(c, VarOptions{}); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if c.Files["a.vars.hcl"] == nil {
		t.Error("a.vars.hcl must be in Files so diagnostics can quote it")
	}
	if _, ok := c.Sources["a.vars.hcl"]; ok {
		t.Error("variable files are not configuration source and must not change SourceHash")
	}
}
