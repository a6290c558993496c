package waf_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestBlocksAttacksAndPassesBenignRequests(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("block", b.address()))

	tests := []struct {
		query   string // decoded "name=value"; sent URL-encoded
		blocked bool
	}{
		{"id=1' OR '1'='1", true},
		{"id=1 UNION SELECT password FROM users", true},
		{"q=<script>alert(1)</script>", true},
		{"q=%3Cscript%3E", true}, // encoded once more on the wire: double encoding
		{"x=javascript:alert(1)", true},
		{"q=<img src=x onerror=alert(1)>", true},
		{"id=1;DROP TABLE users--", true},
		{"q=hello world", false},
		{"name=O'Brien", false},
		{"search=select a product", false},
		{"q=union station", false},
		{"redirect=/home", false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			name, value, _ := strings.Cut(tt.query, "=")
			resp := w.get(t, "", "/?"+name+"="+url.QueryEscape(value))
			id := resp.header.Get("X-Request-Id")
			if id == "" {
				t.Error("response has no X-Request-Id")
			}
			if !tt.blocked {
				if resp.status != http.StatusOK || resp.body != "app" {
					t.Fatalf("status %d body %q, want 200 from the backend", resp.status, resp.body)
				}
				return
			}
			if resp.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.status)
			}
			if !strings.Contains(resp.body, id) {
				t.Errorf("block page does not show request id %s:\n%s", id, resp.body)
			}
			if !strings.Contains(w.logs.String(), `"request_id":"`+id+`"`) {
				t.Errorf("no security event logged for request %s", id)
			}
		})
	}
	for _, target := range []string{"/index.html", "/?q=%3Cscript%3E", "/?q=<script>"} {
		resp := w.get(t, "", target)
		wantBlocked := target != "/index.html"
		if (resp.status == http.StatusForbidden) != wantBlocked {
			t.Errorf("GET %s = %d, blocked want %v", target, resp.status, wantBlocked)
		}
	}
	if n := len(b.requests()); n != 6 {
		t.Errorf("backend saw %d requests, want the 6 benign ones", n)
	}
}

func TestPolicyModes(t *testing.T) {
	b := startBackend(t, "app")
	for _, mode := range []string{"detect", "off"} {
		t.Run(mode, func(t *testing.T) {
			w := startWAF(t, simpleConfig(mode, b.address()))
			resp := w.get(t, "", "/?q=%3Cscript%3Ealert(1)%3C/script%3E")
			if resp.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s mode forwards", resp.status, mode)
			}
			logged := strings.Contains(w.logs.String(), `"action":"detected"`)
			if logged != (mode == "detect") {
				t.Errorf("security event logged = %v in %s mode", logged, mode)
			}
		})
	}
}

func TestSecurityEventLogsNoSecrets(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("block", b.address()))
	req := mustRequest(t, http.MethodGet, w.url+"/login?user=admin'--")
	req.Header.Set("Authorization", "Bearer top-secret-token")
	req.Header.Set("Cookie", "session=secret-cookie")
	resp := do(t, req)
	if resp.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.status)
	}
	var event map[string]any
	for _, line := range strings.Split(w.logs.String(), "\n") {
		if strings.Contains(line, `"event":"security"`) {
			if err := json.Unmarshal([]byte(line), &event); err != nil {
				t.Fatalf("log line is not JSON: %v\n%s", err, line)
			}
		}
	}
	if event == nil {
		t.Fatalf("no security event in logs:\n%s", w.logs)
	}
	want := map[string]any{
		"request_id": resp.header.Get("X-Request-Id"), "site": "main", "client_ip": "127.0.0.1",
		"action": "blocked", "method": "GET", "uri": "/login?user=admin'--", "status": float64(403),
	}
	for k, v := range want {
		if event[k] != v {
			t.Errorf("event[%s] = %v, want %v", k, event[k], v)
		}
	}
	// Every matched rule is reported: the SQL injection, and the anomaly evaluation that
	// blocked, with the score that decided it.
	ids, _ := event["rule_ids"].([]any)
	var sawSQLi, sawEvaluation bool
	for _, id := range ids {
		n, _ := id.(float64)
		sawSQLi = sawSQLi || (n >= 942000 && n < 943000)
		sawEvaluation = sawEvaluation || n == 949110
	}
	if !sawSQLi || !sawEvaluation {
		t.Errorf("rule_ids = %v, want a 942xxx SQL injection rule and 949110", ids)
	}
	if score, _ := event["inbound_anomaly_score"].(float64); score < 5 {
		t.Errorf("inbound_anomaly_score = %v, want at least the threshold 5", event["inbound_anomaly_score"])
	}
	if logs := w.logs.String(); strings.Contains(logs, "top-secret-token") || strings.Contains(logs, "secret-cookie") {
		t.Errorf("logs contain a credential:\n%s", logs)
	}
}

func TestFormBodies(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("block", b.address()))
	post := func(body string) response {
		req, err := http.NewRequest(http.MethodPost, w.url+"/login", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, req)
	}

	benign := "user=O%27Brien&comment=" + strings.Repeat("a", 10_000)
	if resp := post(benign); resp.status != http.StatusOK {
		t.Fatalf("benign form: status %d, want 200", resp.status)
	}
	if got := b.lastBody(); got != benign {
		t.Errorf("backend received a body of %d bytes, want the %d sent", len(got), len(benign))
	}
	if resp := post("user=admin&pass=x%27+OR+%271%27%3D%271"); resp.status != http.StatusForbidden {
		t.Errorf("attack in form body: status %d, want 403", resp.status)
	}
	if resp := post("big=" + strings.Repeat("a", 200<<10)); resp.status != http.StatusRequestEntityTooLarge {
		t.Errorf("form body over the limit: status %d, want 413", resp.status)
	}
}

func TestProxyHeaders(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("block", b.address()))
	req := mustRequest(t, http.MethodGet, w.url+"/page")
	req.Host = "shop.example.com"
	req.Header.Set("Connection", "X-Secret-Hop")
	req.Header.Set("X-Secret-Hop", "must not reach the upstream")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")
	req.Header.Set("X-Request-Id", "client-chosen")
	resp := do(t, req)
	if resp.status != http.StatusOK {
		t.Fatalf("status %d", resp.status)
	}
	seen := b.requests()[0]
	checks := map[string]string{
		"Host":              seen.Host,
		"X-Forwarded-For":   seen.Header.Get("X-Forwarded-For"),
		"X-Forwarded-Host":  seen.Header.Get("X-Forwarded-Host"),
		"X-Forwarded-Proto": seen.Header.Get("X-Forwarded-Proto"),
		"X-Secret-Hop":      seen.Header.Get("X-Secret-Hop"),
		"X-Request-Id":      seen.Header.Get("X-Request-Id"),
	}
	want := map[string]string{
		"Host": "shop.example.com", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "shop.example.com",
		"X-Forwarded-Proto": "http", "X-Secret-Hop": "", "X-Request-Id": resp.header.Get("X-Request-Id"),
	}
	for k, v := range want {
		if checks[k] != v {
			t.Errorf("upstream saw %s = %q, want %q", k, checks[k], v)
		}
	}
}

func TestSiteSelectionByHost(t *testing.T) {
	shop, blog, other := startBackend(t, "shop"), startBackend(t, "blog"), startBackend(t, "other")
	pools := []config.Pool{
		{Name: "shop", Members: []config.Member{{Address: shop.address()}}},
		{Name: "blog", Members: []config.Member{{Address: blog.address()}}},
		{Name: "other", Members: []config.Member{{Address: other.address()}}},
	}
	sites := []config.Site{
		{Name: "shop", Pool: "shop", Hostnames: []string{"shop.example.com"}},
		{Name: "blog", Pool: "blog", Hostnames: []string{"Blog.Example.com", "www.blog.example.com"}},
	}
	w := startWAF(t, config.Config{Pools: pools, Sites: sites})
	tests := []struct{ host, want string }{
		{"shop.example.com", "shop"},
		{"SHOP.example.COM:8080", "shop"},
		{"shop.example.com.", "shop"},
		{"blog.example.com", "blog"},
		{"www.blog.example.com", "blog"},
	}
	for _, tt := range tests {
		if resp := w.get(t, tt.host, "/"); resp.body != tt.want {
			t.Errorf("Host %s went to %q (status %d), want %q", tt.host, resp.body, resp.status, tt.want)
		}
	}
	resp := w.get(t, "unknown.example.com", "/")
	if resp.status != http.StatusNotFound || !strings.Contains(resp.body, "no site for host") {
		t.Errorf("unknown host: %d %q, want 404 no site for host", resp.status, resp.body)
	}

	withDefault := startWAF(t, config.Config{Pools: pools, Sites: append(sites, config.Site{Name: "catchall", Pool: "other"})})
	if resp := withDefault.get(t, "unknown.example.com", "/"); resp.body != "other" {
		t.Errorf("unknown host with a default site went to %q, want other", resp.body)
	}
}

func TestRoundRobinAcrossBackends(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	w := startWAF(t, simpleConfig("block", a.address(), b.address()))
	var got []string
	for range 6 {
		got = append(got, w.get(t, "", "/").body)
	}
	if strings.Join(got, "") != "ababab" {
		t.Errorf("responses came from %v, want alternating a and b", got)
	}
}

func TestHealthChecks(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	cfg := simpleConfig("block", a.address(), b.address())
	cfg.Pools[0].HealthCheck = &config.HealthCheck{Path: "/health", Interval: "20ms", Timeout: "1s", ExpectStatus: 200}
	w := startWAF(t, cfg)
	membersUp := func() int {
		n := 0
		for _, m := range w.status(t).Details.(map[string]any)["pools"].([]any)[0].(map[string]any)["members"].([]any) {
			if m.(map[string]any)["up"] == true {
				n++
			}
		}
		return n
	}

	b.setHealthy(false)
	waitFor(t, "member b to be marked down", func() bool { return membersUp() == 1 })
	for range 4 {
		if resp := w.get(t, "", "/"); resp.body != "a" {
			t.Fatalf("request went to %q (status %d), want only a while b is down", resp.body, resp.status)
		}
	}

	a.setHealthy(false)
	waitFor(t, "every member to be marked down", func() bool { return membersUp() == 0 })
	if resp := w.get(t, "", "/"); resp.status != http.StatusServiceUnavailable {
		t.Errorf("no member up: status %d, want 503", resp.status)
	}

	b.setHealthy(true)
	waitFor(t, "member b to come back", func() bool { return membersUp() == 1 })
	if resp := w.get(t, "", "/"); resp.body != "b" {
		t.Errorf("request went to %q, want b", resp.body)
	}
}

func TestEmptyPoolAnswers503(t *testing.T) {
	w := startWAF(t, simpleConfig("block"))
	if resp := w.get(t, "", "/"); resp.status != http.StatusServiceUnavailable {
		t.Errorf("empty pool: status %d, want 503", resp.status)
	}
}

func TestDeadUpstreamAnswers502(t *testing.T) {
	w := startWAF(t, simpleConfig("block", deadAddress(t)))
	resp := w.get(t, "", "/")
	if resp.status != http.StatusBadGateway {
		t.Fatalf("dead upstream: status %d, want 502", resp.status)
	}
	if len(resp.body) > 200 {
		t.Errorf("502 body is %d bytes, want a short message", len(resp.body))
	}
	metrics := do(t, mustRequest(t, http.MethodGet, w.adminURL+"/metrics")).body
	if !strings.Contains(metrics, `rampart_waf_upstream_errors_total{pool="app"} 1`) {
		t.Errorf("metrics do not count the upstream error:\n%s", metrics)
	}
}
