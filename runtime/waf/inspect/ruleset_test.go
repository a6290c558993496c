package inspect

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestInspectBlocksAttacks(t *testing.T) {
	rules := NewRuleSet(1)
	tests := []struct {
		target string // what follows the host in the request line
		rule   string
	}{
		{"/?id=1'%20OR%20'1'='1", "sqli-tautology"},
		{"/?id=1%27+or+%271%27%3D%271", "sqli-tautology"},
		{"/?id=1+or+1=1", "sqli-tautology"},
		{"/?id=1%20UNION%20SELECT%20password%20FROM%20users", "sqli-union-select"},
		{"/?id=1%20UnIoN/**/SeLeCt%20password", "sqli-union-select"},
		{"/?id=1%20union%20all%20select%201,2", "sqli-union-select"},
		{"/?id=1;DROP%20TABLE%20users--", "sqli-stacked-query"},
		{"/?user=admin'--", "sqli-comment-after-quote"},
		{"/?id=1%20and%20sleep(5)", "sqli-time-delay"},
		{"/?id=1%20from%20information_schema.tables", "sqli-data-access"},
		{"/?q=<script>alert(1)</script>", "xss-script-tag"},
		{"/?q=%3Cscript%3E", "xss-script-tag"},
		{"/?q=%253Cscript%253E", "xss-script-tag"},
		{"/?q=%3CSCRIPT%3E", "xss-script-tag"},
		{"/?x=javascript:alert(1)", "xss-script-uri"},
		{"/?x=JaVaScRiPt%3Aalert(1)", "xss-script-uri"},
		{"/?q=<img%20src=x%20onerror=alert(1)>", "xss-event-handler"},
		{"/?q=%22%20onmouseover=%22alert(1)", "xss-event-handler"},
		{"/?q=<iframe%20src=//evil>", "xss-dangerous-tag"},
		{"/?q=document.cookie", "xss-script-sink"},
		{"/search/%3Cscript%3E", "xss-script-tag"},
		{"/?%3Cscript%3E=1", "xss-script-tag"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			v := rules.Inspect(r, nil)
			if v.RuleID != tt.rule {
				t.Fatalf("Inspect(%s) matched %q, want %q", tt.target, v.RuleID, tt.rule)
			}
			if v.Message == "" || v.Part == "" {
				t.Errorf("verdict %+v lacks a message or part", v)
			}
		})
	}
}

func TestInspectPassesBenignRequests(t *testing.T) {
	rules := NewRuleSet(1)
	targets := []string{
		"/?q=hello%20world",
		"/?q=hello+world",
		"/?name=O'Brien",
		"/?name=O%27Brien&city=Dublin",
		"/?search=select%20a%20product",
		"/?q=union%20station",
		"/index.html",
		"/?redirect=/home",
		"/?q=rock+and+roll",
		"/?q=black%20or%20white",
		"/?q=1+%2B+1+%3D+2",
		"/?email=a.b@example.com&ok=1",
		"/products/42?sort=price&order=asc",
		"/?q=a%2Fb%2Fc",
		"/?q=it's%20on%20sale",
		"/?q=time:10:30",
		"/?q=%E2%82%AC5",
		"/?q=",
		"/",
	}
	for _, target := range targets {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		if v := rules.Inspect(r, nil); v.Matched() {
			t.Errorf("Inspect(%s) = %+v, want no match", target, v)
		}
	}
}

func TestInspectFormBody(t *testing.T) {
	rules := NewRuleSet(1)
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(""))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if !rules.WantsBody(r) {
		t.Fatal("WantsBody = false for a form post")
	}
	v := rules.Inspect(r, []byte("user=admin&pass=x'+or+'1'%3D'1"))
	if v.RuleID != "sqli-tautology" || v.Part != PartBody || v.Arg != "pass" {
		t.Fatalf("verdict = %+v, want sqli-tautology in body arg pass", v)
	}
	if v := rules.Inspect(r, []byte("user=O'Brien&pass=secret")); v.Matched() {
		t.Fatalf("benign form matched: %+v", v)
	}

	json := httptest.NewRequest(http.MethodPost, "/api", nil)
	json.Header.Set("Content-Type", "application/json")
	if rules.WantsBody(json) {
		t.Error("WantsBody = true for JSON; this rule set only reads forms")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want    string
		plusIsSpace bool
	}{
		{"%3Cscript%3E", "<script>", false},
		{"%253Cscript%253E", "<script>", false},
		{"%25253Cb", "<b", false},
		{"%2525253Cb", "%3cb", false}, // beyond maxDecodePasses stays encoded
		{"UNION/**/SELECT", "union select", false},
		{"a/*x*/b/*c", "a b/*c", false},
		{"a+b", "a b", true},
		{"a+b", "a+b", false},
		{"%2B", "+", true}, // a '+' produced by decoding is a literal plus
		{"%zz%4", "%zz%4", false},
		{"a%00b", "ab", false},
	}
	for _, tt := range tests {
		got := string(normalize([]byte(tt.in), tt.plusIsSpace))
		if got != tt.want {
			t.Errorf("normalize(%q, %v) = %q, want %q", tt.in, tt.plusIsSpace, got, tt.want)
		}
	}
}

func TestParanoiaSelectsRules(t *testing.T) {
	rules := []Rule{
		{ID: "low", Paranoia: 1, Pattern: DefaultRules[0].Pattern},
		{ID: "high", Paranoia: 3, Pattern: DefaultRules[0].Pattern},
	}
	if got := len(NewRuleSetOf(rules, 1).Rules()); got != 1 {
		t.Errorf("paranoia 1 runs %d rules, want 1", got)
	}
	if got := len(NewRuleSetOf(rules, 4).Rules()); got != 2 {
		t.Errorf("paranoia 4 runs %d rules, want 2", got)
	}
}
