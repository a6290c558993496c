package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// Each case is a directory under testdata/load; want lists the exact diagnostics, with
// file, line and column, in the order Load reports them.
var loadErrorCases = []struct {
	dir  string
	want []string
}{
	{dir: "count_and_for_each", want: []string{
		`main.hcl:3,3-11: Invalid combination of "count" and "for_each"; The "count" and "for_each" meta-arguments are mutually exclusive: use count for a number of identical instances, or for_each for one instance per element of a map or set.`,
	}},
	{dir: "depends_on_not_a_list", want: []string{
		`main.hcl:2,16-27: Invalid depends_on value; depends_on takes a list of references to other blocks, for example depends_on = [waf.shop].`,
	}},
	{dir: "depends_on_string", want: []string{
		`main.hcl:2,17-30: Invalid depends_on reference; Each depends_on entry is the address of another block, written without quotes, for example waf.shop; strings, function calls and other expressions are not allowed.`,
	}},
	{dir: "duplicate_appliance", want: []string{
		`b.hcl:4,1-11: Duplicate appliance; An appliance waf.shop was already declared at a.hcl:1,1-11. Each waf block needs a name of its own.`,
	}},
	{dir: "duplicate_local", want: []string{
		`main.hcl:7,3-4: Duplicate local value definition; A local value named "a" was already declared at main.hcl:2,3-4. Local value names must be unique within a configuration.`,
	}},
	{dir: "duplicate_provider", want: []string{
		`main.hcl:5,1-18: Duplicate provider configuration; A configuration of provider "docker" with alias "dmz" was already declared at main.hcl:2,1-18. Give each further configuration of the same provider a distinct alias.`,
		`main.hcl:8,1-18: Duplicate provider configuration; A default configuration of provider "docker" was already declared at main.hcl:1,1-18. Give each further configuration of the same provider a distinct alias.`,
	}},
	{dir: "duplicate_variable_and_output", want: []string{
		`main.hcl:2,1-13: Duplicate variable declaration; A variable named "x" was already declared at main.hcl:1,1-13. Variable names must be unique within a configuration.`,
		`main.hcl:4,1-11: Duplicate output definition; An output named "y" was already declared at main.hcl:3,1-11. Output names must be unique within a configuration.`,
	}},
	{dir: "ignore_changes_keyword", want: []string{
		`main.hcl:3,22-32: Invalid ignore_changes value; ignore_changes takes a list of attribute paths of this appliance, for example ignore_changes = [site, listen.http], or the keyword all to ignore every change once the appliance exists.`,
	}},
	{dir: "lifecycle_not_literal", want: []string{
		`main.hcl:3,23-26: Variables not allowed; Variables may not be used here.`,
		`main.hcl:4,24-30: Invalid ignore_changes entry; Each ignore_changes entry is an attribute path of this appliance written without quotes, for example listen.http.`,
	}},
	{dir: "malformed", want: []string{
		`main.hcl:3,11-4,1: Invalid expression; Expected the start of an expression, but found an invalid expression token.`,
	}},
	{dir: "misspelled_lifecycle", want: []string{
		`main.hcl:2,3-12: Unsupported block type; Blocks of type "lifecycel" are not expected here. Did you mean "lifecycle"?`,
	}},
	{dir: "misspelled_runtime_block", want: []string{
		`main.hcl:2,3-8: Unsupported block type; Blocks of type "lisen" are not expected here. Did you mean "listen"?`,
	}},
	{dir: "misspelled_runtime_block_as_attribute", want: []string{
		`main.hcl:2,3-8: Unsupported argument; An argument named "lisen" is not expected here. Did you mean the block "listen"? Write it as listen { ... }, without an equals sign.`,
	}},
	{dir: "names_and_labels", want: []string{
		`main.hcl:3,9-10: Missing name for gateway; All gateway blocks must have 1 labels (name).`,
		`main.hcl:5,13-16: Extraneous label for scanner; Only 1 labels (name) are expected for scanner blocks.`,
		`main.hcl:1,5-14: Invalid appliance name; "my shop" is not a valid appliance name: a name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.`,
		`main.hcl:8,9-16: Extraneous label for local; No labels are expected for local blocks.`,
	}},
	{dir: "provider_reference", want: []string{
		`main.hcl:2,23-35: Invalid provider reference; provider names a provider configuration without quotes: its type and alias, for example provider = docker.<alias>.`,
		`main.hcl:5,23-33: Provider type mismatch; A docker placement runs on a docker provider, but hyperv.lab is a hyperv provider. Name a docker provider configuration, such as docker.<alias>.`,
		`main.hcl:8,23-39: Invalid provider reference; provider names a provider configuration without quotes: its type and alias, for example provider = docker.<alias>.`,
	}},
	{dir: "rampart_block", want: []string{
		`main.hcl:2,22-23: Unsuitable value type; Unsuitable value: string required, but have tuple`,
		`main.hcl:4,3-15: Duplicate backend block; A backend "local" was already declared at main.hcl:3,3-18. State lives in one backend; keep one backend block.`,
		`main.hcl:6,1-8: Duplicate rampart block; A rampart block was already declared at main.hcl:1,1-8. Merge the settings into one rampart block.`,
	}},
	{dir: "top_level_attribute", want: []string{
		`main.hcl:1,1-7: Unsupported argument; An argument named "region" is not expected here.`,
	}},
	{dir: "two_placements", want: []string{
		`main.hcl:3,3-13: An appliance has one placement block; Found docker at main.hcl:2,3-9, aws_mirror at main.hcl:3,3-13. The placement block says where the appliance runs and is named after a provider, such as local or docker; keep one.`,
	}},
	{dir: "unknown_top_level_block", want: []string{
		`main.hcl:1,1-5: Unsupported block type; Blocks of type "wafs" are not expected here. Did you mean "waf"?`,
	}},
	{dir: "variable_errors", want: []string{
		`main.hcl:3,13-21: Invalid default value for variable; The default of variable "port" does not match its type number: a number is required.`,
		`main.hcl:6,15-20: Invalid type specification; The keyword "strin" is not a valid type specification.`,
		`main.hcl:10,36-44: Invalid reference in variable validation; The condition of variable "checked" can only refer to the variable itself, as var.checked.`,
		`main.hcl:14,10-21: Invalid variable name; "bad name!" is not a valid variable name: a name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.`,
	}},
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range loadErrorCases {
		t.Run(tc.dir, func(t *testing.T) {
			_, diags := Load(filepath.Join("testdata/load", tc.dir))
			assertDiags(t, diags, tc.want)
		})
	}
}

func TestLoadEveryErrorCaseIsListed(t *testing.T) {
	entries, err := os.ReadDir("testdata/load")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{"full": true} // the valid example, checked against full.golden
	for _, tc := range loadErrorCases {
		listed[tc.dir] = true
	}
	for _, e := range entries {
		if e.IsDir() && !listed[e.Name()] {
			t.Errorf("testdata/load/%s is not a case of TestLoadErrors", e.Name())
		}
	}
}

func TestLoadIgnoreAllChanges(t *testing.T) {
	dir := t.TempDir()
	hcl := "waf \"shop\" {\n  lifecycle {\n    ignore_changes = all\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	l := cfg.Appliances[0].Lifecycle
	if !l.IgnoreAllChanges || len(l.IgnoreChanges) != 0 {
		t.Fatalf("lifecycle = %+v, want ignore_changes = all and no paths", l)
	}
}
