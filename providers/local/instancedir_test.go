package local

import (
	"strings"
	"testing"
)

func TestDirName(t *testing.T) {
	tests := []struct {
		address    string
		wantPrefix string
		wantHash   bool
	}{
		{"waf.shop", "waf.shop", false},
		{"gateway.dc-1", "gateway.dc-1", false},
		{`waf.edge["eu"]`, "waf.edge_eu_@", true},
		{`waf.edge[0]`, "waf.edge_0_@", true},
		{`waf.x/../../etc`, "waf.x_.._.._etc@", true},
		{"..", "..@", true},
		{"", "@", true},
		{strings.Repeat("a", 150), strings.Repeat("a", maxDirNameLen) + "@", true},
	}
	for _, tt := range tests {
		got := dirName(tt.address)
		if !strings.HasPrefix(got, tt.wantPrefix) {
			t.Errorf("dirName(%q) = %q, want prefix %q", tt.address, got, tt.wantPrefix)
		}
		if hasHash := strings.Contains(got, "@"); hasHash != tt.wantHash {
			t.Errorf("dirName(%q) = %q, hash suffix: %v, want %v", tt.address, got, hasHash, tt.wantHash)
		}
		if strings.ContainsAny(got, `/[]"`) {
			t.Errorf("dirName(%q) = %q contains a character unsafe in a directory name", tt.address, got)
		}
	}
}

func TestDirNameIsCollisionFree(t *testing.T) {
	// Each pair sanitises to the same characters; the names must still differ.
	pairs := [][2]string{
		{`waf.edge["eu"]`, `waf.edge_eu_`},
		{`waf.edge["eu"]`, `waf.edge["eu]`},
		{`waf.a["b.c"]`, `waf.a["b"].c`},
		{strings.Repeat("a", 120) + "1", strings.Repeat("a", 120) + "2"},
	}
	for _, p := range pairs {
		if a, b := dirName(p[0]), dirName(p[1]); a == b {
			t.Errorf("dirName(%q) == dirName(%q) == %q", p[0], p[1], a)
		}
	}
}
