package inspect

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzInspect feeds arbitrary request targets, content types and bodies through the rule
// engine: it must never panic, a verdict must be consistent (a block has an error status
// and names matched rules), and match targets stay bounded.
func FuzzInspect(f *testing.F) {
	seeds := []struct{ target, contentType, body string }{
		{"/?id=1' OR '1'='1", "", ""},
		{"/?q=%3Cscript%3E", "", ""},
		{"/p?q=%25%32%35&&&=", "application/x-www-form-urlencoded", "a=%&b=%4&c=+"},
		{"/api", "application/json", `{"a":[1,{"b":"<script>"}],"c":null}`},
		{"/api", "application/json", `{"a":`},
		{"/up", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.php\"\r\n\r\n<?php\r\n--X--\r\n"},
		{"/%00/..%2f..%2fetc/passwd", "text/xml", "<a>&xxe;</a>"},
	}
	for _, s := range seeds {
		f.Add(s.target, s.contentType, []byte(s.body))
	}
	in := inspectorFor(f, nil)
	f.Fuzz(func(t *testing.T, target, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.RequestURI = "/" + target // any bytes, as a raw request line could carry
		r.Header.Set("Content-Type", contentType)
		r.Host = "localhost"
		tx := in.InspectRequest(r, body, "fuzz")
		defer tx.Close()
		v := tx.Verdict()
		if v.Blocked && (v.Status < 400 || v.Status > 599) {
			t.Fatalf("blocked with status %d", v.Status)
		}
		if v.Blocked && !v.Matched() {
			t.Fatalf("blocked by rule %d without any logged match", v.BlockingRuleID)
		}
		for _, m := range v.Matches {
			if m.RuleID <= 0 {
				t.Fatalf("match without a rule id: %+v", m)
			}
			if len(m.Target) > maxTargetLen {
				t.Fatalf("target of %d bytes exceeds the bound", len(m.Target))
			}
		}
	})
}
