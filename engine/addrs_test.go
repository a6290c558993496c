package engine

import "testing"

func TestParseInstanceAddr(t *testing.T) {
	valid := map[string]string{
		"waf.shop":           "waf.shop",
		"waf.shop[0]":        "waf.shop[0]",
		"waf.shop[12]":       "waf.shop[12]",
		`waf.edge["eu"]`:     `waf.edge["eu"]`,
		`cdr_sensor.vpc[""]`: `cdr_sensor.vpc[""]`,
	}
	for in, want := range valid {
		a, err := ParseInstanceAddr(in)
		if err != nil {
			t.Errorf("ParseInstanceAddr(%q): %v", in, err)
			continue
		}
		if a.String() != want {
			t.Errorf("ParseInstanceAddr(%q).String() = %q, want %q", in, a.String(), want)
		}
	}
	for _, in := range []string{"", "waf", "waf.", ".shop", "waf.shop[", "waf.shop[-1]", "waf.shop[01]", `waf.shop["x]`, "waf.shop[x]", "waf.a.b"} {
		if _, err := ParseInstanceAddr(in); err == nil {
			t.Errorf("ParseInstanceAddr(%q) succeeded, want an error", in)
		}
	}
}
