package waf_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// securityEvents returns the security events logged so far, decoded.
func (w *testWAF) securityEvents(t *testing.T) []map[string]any {
	t.Helper()
	var list []map[string]any
	for _, line := range strings.Split(w.logs.String(), "\n") {
		if !strings.Contains(line, `"event":"security"`) {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		list = append(list, ev)
	}
	return list
}

// eventFor returns the security event of a request id, or nil.
func (w *testWAF) eventFor(t *testing.T, requestID string) map[string]any {
	t.Helper()
	for _, ev := range w.securityEvents(t) {
		if ev["request_id"] == requestID {
			return ev
		}
	}
	return nil
}

func ruleIDs(ev map[string]any) []int {
	var ids []int
	list, _ := ev["rule_ids"].([]any)
	for _, id := range list {
		n, _ := id.(float64)
		ids = append(ids, int(n))
	}
	return ids
}

func (w *testWAF) send(t *testing.T, method, target, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, w.url+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "shop.example.com"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return do(t, req)
}

func TestCRSOverHTTP(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("block", b.address()))
	order, err := os.ReadFile("inspect/testdata/order-118-fields.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, target, contentType, body string
		status                                  int
		ruleID                                  int // must be reported when blocked
	}{
		{"sqli", "GET", "/?id=" + url.QueryEscape("1' OR '1'='1"), "", "", 403, 942100},
		{"xss", "GET", "/?q=" + url.QueryEscape("<script>alert(1)</script>"), "", "", 403, 941100},
		{"lfi", "GET", "/download?file=" + url.QueryEscape("../../../../etc/passwd"), "", "", 403, 930100},
		{"rce", "GET", "/?cmd=" + url.QueryEscape(";cat /etc/passwd"), "", "", 403, 932160},
		{"sqli in json", "POST", "/api/users", "application/json", `{"name":"x' OR 1=1--"}`, 403, 942100},
		{"benign get", "GET", "/products/42?sort=price&order=asc&page=3&q=red+shoes", "", "", 200, 0},
		{"benign json", "POST", "/api/orders", "application/json", string(order), 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := w.send(t, tt.method, tt.target, tt.contentType, tt.body)
			id := resp.header.Get("X-Request-Id")
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d", resp.status, tt.status)
			}
			ev := w.eventFor(t, id)
			if tt.status == 200 {
				if ev != nil {
					t.Errorf("benign request logged an event: %v", ev)
				}
				if tt.body != "" && b.lastBody() != tt.body {
					t.Errorf("the backend received a different body than sent")
				}
				return
			}
			if !strings.Contains(resp.body, id) {
				t.Errorf("block page lacks request id %s", id)
			}
			if ev == nil || ev["action"] != "blocked" || !slices.Contains(ruleIDs(ev), tt.ruleID) {
				t.Errorf("event %v, want action blocked with rule %d", ev, tt.ruleID)
			}
		})
	}
}

func TestDetectModeLogsAndForwards(t *testing.T) {
	b := startBackend(t, "app")
	w := startWAF(t, simpleConfig("detect", b.address()))
	resp := w.send(t, "GET", "/?q="+url.QueryEscape("<script>alert(1)</script>"), "", "")
	if resp.status != http.StatusOK || resp.body != "app" {
		t.Fatalf("detect mode: %d %q, want the backend's answer", resp.status, resp.body)
	}
	ev := w.eventFor(t, resp.header.Get("X-Request-Id"))
	if ev == nil || ev["action"] != "detected" || !slices.Contains(ruleIDs(ev), 941100) || !slices.Contains(ruleIDs(ev), 949110) {
		t.Errorf("event %v, want action detected with 941100 and 949110", ev)
	}
}

func TestPolicyExclusionsCustomRulesAndUploads(t *testing.T) {
	b := startBackend(t, "app")
	cfg := simpleConfig("block", b.address())
	cfg.Sites[0].Policy = &config.Policy{
		Mode: "block",
		Exclusions: []config.Exclusion{
			{RuleIDs: []int{942100}, Tags: []string{"attack-sqli"}, PathPrefix: "/search", Argument: "q"},
			{Tags: []string{"attack-xss"}, PathPrefix: "/cms/"},
		},
		CustomRules: []string{`SecRule REQUEST_HEADERS:X-Debug "@streq on" "id:10001,phase:1,deny,status:403,log,msg:'debug switch from outside'"`},
		UploadPaths: []string{"/upload/"},
	}
	w := startWAF(t, cfg)
	sqli, xss := url.QueryEscape("1' OR '1'='1"), url.QueryEscape("<script>alert(1)</script>")
	multipart := func(payload string) string {
		return "--B\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n" + payload + "\r\n--B--\r\n"
	}
	tests := []struct {
		name, method, target, contentType, body string
		header                                  string
		status                                  int
	}{
		{"excluded argument on its path", "GET", "/search?q=" + sqli, "", "", "", 200},
		{"other argument on that path", "GET", "/search?name=" + sqli, "", "", "", 403},
		{"excluded argument on another path", "GET", "/login?q=" + sqli, "", "", "", 403},
		{"excluded tag under its prefix", "GET", "/cms/page?body=" + xss, "", "", "", 200},
		{"excluded tag elsewhere", "GET", "/page?body=" + xss, "", "", "", 403},
		{"custom rule", "GET", "/", "", "", "on", 403},
		{"upload path body not inspected", "POST", "/upload/file", "multipart/form-data; boundary=B", multipart("<script>alert(1)</script>"), "", 200},
		{"same body elsewhere", "POST", "/comments", "multipart/form-data; boundary=B", multipart("<script>alert(1)</script>"), "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, w.url+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "shop.example.com"
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.header != "" {
				req.Header.Set("X-Debug", tt.header)
			}
			resp := do(t, req)
			if resp.status != tt.status {
				t.Errorf("status %d, want %d; event %v", resp.status, tt.status, w.eventFor(t, resp.header.Get("X-Request-Id")))
			}
		})
	}
	ev := w.securityEvents(t)
	var sawCustom bool
	for _, e := range ev {
		sawCustom = sawCustom || slices.Contains(ruleIDs(e), 10001)
	}
	if !sawCustom {
		t.Error("no event reports custom rule 10001")
	}
}

func TestRequestBodyLimit(t *testing.T) {
	b := startBackend(t, "app")
	for _, mode := range []string{"block", "detect"} {
		t.Run(mode, func(t *testing.T) {
			cfg := simpleConfig(mode, b.address())
			cfg.Sites[0].Policy.RequestBodyLimit = 1024
			w := startWAF(t, cfg)
			small := `{"a":"` + strings.Repeat("x", 500) + `"}`
			if resp := w.send(t, "POST", "/api", "application/json", small); resp.status != http.StatusOK {
				t.Fatalf("body under the limit: %d", resp.status)
			}
			large := `{"a":"` + strings.Repeat("x", 2000) + `"}`
			resp := w.send(t, "POST", "/api", "application/json", large)
			want := http.StatusRequestEntityTooLarge
			if mode == "detect" {
				want = http.StatusOK
			}
			if resp.status != want {
				t.Fatalf("body over the limit in %s mode: %d, want %d", mode, resp.status, want)
			}
			if mode == "detect" && b.lastBody() != large {
				t.Errorf("detect mode must forward the whole body")
			}
		})
	}
}

func TestOverloadAnswers503(t *testing.T) {
	b := startBackend(t, "app")
	cfg := simpleConfig("block", b.address())
	cfg.Inspection = &config.Inspection{MaxConcurrent: 1, QueueLength: 1, QueueTimeout: "10s"}
	w := startWAF(t, cfg)
	limiter := w.InspectionLimiter()
	if err := limiter.Acquire(context.Background()); err != nil { // the one slot is busy
		t.Fatal(err)
	}
	queued := make(chan response, 1)
	go func() {
		req := mustRequest(t, http.MethodGet, w.url+"/queued")
		req.Host = "shop.example.com"
		resp, err := client.Do(req)
		if err != nil {
			queued <- response{}
			return
		}
		resp.Body.Close()
		queued <- response{status: resp.StatusCode}
	}()
	waitFor(t, "a request to queue", func() bool { return limiter.Stats().Queued == 1 })

	resp := w.send(t, "GET", "/overflow", "", "")
	if resp.status != http.StatusServiceUnavailable || resp.header.Get("Retry-After") != "1" {
		t.Errorf("queue full: %d Retry-After %q, want 503 and 1", resp.status, resp.header.Get("Retry-After"))
	}
	if resp.header.Get("X-Request-Id") == "" {
		t.Error("the 503 has no X-Request-Id")
	}
	limiter.Release()
	if got := <-queued; got.status != http.StatusOK {
		t.Errorf("the queued request got %d once the slot freed, want 200", got.status)
	}
	metrics := do(t, mustRequest(t, http.MethodGet, w.adminURL+"/metrics")).body
	for _, want := range []string{
		`rampart_waf_inspections_rejected_total{reason="queue_full"} 1`,
		`rampart_waf_requests_total{site="main",code="5xx",action="rejected"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestResponseInspection(t *testing.T) {
	leaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/error" {
			fmt.Fprint(w, "<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</p>")
			return
		}
		fmt.Fprint(w, "<p>all good</p>")
	}))
	t.Cleanup(leaky.Close)
	address := strings.TrimPrefix(leaky.URL, "http://")
	for _, inspectResponses := range []bool{false, true} {
		t.Run(fmt.Sprint("response_inspection=", inspectResponses), func(t *testing.T) {
			cfg := simpleConfig("block", address)
			cfg.Sites[0].Policy.ResponseInspection = inspectResponses
			w := startWAF(t, cfg)
			if resp := w.send(t, "GET", "/fine", "", ""); resp.status != http.StatusOK || resp.body != "<p>all good</p>" {
				t.Fatalf("clean response: %d %q", resp.status, resp.body)
			}
			resp := w.send(t, "GET", "/error", "", "")
			if !inspectResponses {
				if resp.status != http.StatusOK {
					t.Errorf("response inspection off: %d, want the response as it is", resp.status)
				}
				return
			}
			if resp.status != http.StatusForbidden || strings.Contains(resp.body, "SQL syntax") {
				t.Fatalf("leaking response: %d %q, want the block page", resp.status, resp.body)
			}
			ev := w.eventFor(t, resp.header.Get("X-Request-Id"))
			ids := ruleIDs(ev)
			if ev == nil || ev["action"] != "blocked" || !slices.ContainsFunc(ids, func(id int) bool { return id >= 951000 && id < 952000 }) {
				t.Errorf("event %v, want blocked with a 951xxx SQL leak rule", ev)
			}
		})
	}
}
