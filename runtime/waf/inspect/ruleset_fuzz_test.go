package inspect

import (
	"testing"
)

// FuzzInspect feeds arbitrary paths, queries and form bodies to the rule set: it must never
// panic, and a verdict must always name a known rule and a part.
func FuzzInspect(f *testing.F) {
	seeds := []string{
		"id=1' OR '1'='1", "q=%3Cscript%3E", "q=%25%32%35", "a=/*", "x=javascript:alert(1)",
		"%", "%%", "%4", "+", "&&&", "=", "a=b&c", "q=union/**/select", "\x00", "/*/**/*/",
	}
	for _, s := range seeds {
		f.Add("/p", s, []byte(s))
	}
	rules := NewRuleSet(4)
	known := map[string]bool{}
	for _, r := range rules.Rules() {
		known[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, path, query string, body []byte) {
		v := rules.InspectParts(path, query, body)
		if !v.Matched() {
			return
		}
		if !known[v.RuleID] {
			t.Fatalf("unknown rule id %q", v.RuleID)
		}
		if v.Part != PartPath && v.Part != PartQuery && v.Part != PartBody {
			t.Fatalf("unknown part %q", v.Part)
		}
		if len(v.Arg) > maxArgNameInVerdict {
			t.Fatalf("arg name of %d bytes exceeds the bound", len(v.Arg))
		}
	})
}

// FuzzNormalize checks that normalization never grows its input (it works in place).
func FuzzNormalize(f *testing.F) {
	f.Add([]byte("%253Cscript%253E/**/+"), true)
	f.Fuzz(func(t *testing.T, in []byte, plus bool) {
		n := len(in)
		out := normalize(append([]byte(nil), in...), plus)
		if len(out) > n {
			t.Fatalf("normalize grew %d bytes to %d", n, len(out))
		}
	})
}
