package schema

import (
	"os"
	"testing"
)

func TestFormat(t *testing.T) {
	src, err := os.ReadFile("testdata/format/messy.hcl")
	if err != nil {
		t.Fatal(err)
	}
	got, diags := Format(src, "messy.hcl")
	assertDiags(t, diags, nil)
	checkGolden(t, "testdata/format/messy.golden.hcl", got)

	again, diags := Format(got, "messy.hcl")
	assertDiags(t, diags, nil)
	if string(again) != string(got) {
		t.Errorf("formatting is not idempotent:\n%s", again)
	}
}

func TestFormatRefusesInvalidHCL(t *testing.T) {
	got, diags := Format([]byte("waf \"shop\" {\n  listen {\n"), "broken.hcl")
	if got != nil {
		t.Errorf("Format returned output for invalid input: %q", got)
	}
	assertDiags(t, diags, []string{
		`broken.hcl:2,10-11: Unclosed configuration block; There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.`,
	})
}
