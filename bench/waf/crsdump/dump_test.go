package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

func TestDumpWritesTheEmbeddedRuleSet(t *testing.T) {
	dir := t.TempDir()
	n, err := dump(coreruleset.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := os.ReadFile(filepath.Join(dir, "crs-setup.conf.example"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(setup), "OWASP_CRS/4.") {
		t.Errorf("crs-setup.conf.example does not name a CRS v4 version")
	}
	for _, want := range []string{
		"REQUEST-901-INITIALIZATION.conf",
		"REQUEST-942-APPLICATION-ATTACK-SQLI.conf",
		"REQUEST-949-BLOCKING-EVALUATION.conf",
		"ssrf.data", // loaded by @pmFromFile relative to the rule file
	} {
		if _, err := os.Stat(filepath.Join(dir, "rules", want)); err != nil {
			t.Errorf("missing rules/%s: %v", want, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "rules"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(entries) + 2; got != n {
		t.Errorf("dump reported %d files, directory holds %d", n, got)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "@") || e.Name() == "LICENSE" {
			t.Errorf("unexpected file rules/%s", e.Name())
		}
	}
}

func TestSeparateDirectivesAddsABlankLineAfterEachDirective(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "chained rule without actions is followed by a blank line",
			in:   "SecRule TX:A \"@ge 1\" \\\n    \"id:1,phase:1,deny,chain\"\n    SecRule TX:B \"@eq 1\"\nSecMarker X\n",
			want: "SecRule TX:A \"@ge 1\" \\\n    \"id:1,phase:1,deny,chain\"\n\n    SecRule TX:B \"@eq 1\"\n\nSecMarker X\n\n",
		},
		{
			name: "continuation with trailing space is kept together",
			in:   "SecAction \\ \n    \"id:2,pass\"",
			want: "SecAction \\ \n    \"id:2,pass\"\n\n",
		},
		{name: "empty file", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(separateDirectives([]byte(tt.in))); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
