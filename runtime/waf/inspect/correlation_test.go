package inspect

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// TestCorrelationIsReported: with response inspection, the Core Rule Set's correlation
// rule (980170, logging phase) reports the exchange's anomaly scores once the logging
// phase ran, so that the security event can carry it.
func TestCorrelationIsReported(t *testing.T) {
	in := inspectorFor(t, &config.Policy{Mode: "detect", ResponseInspection: true})
	r := newRequest(http.MethodGet, "/", "", nil)
	r.Host = "127.0.0.1" // 920350: a warning, scored but not blocked
	tx := in.InspectRequest(r, nil, "correlation")
	defer tx.Close()
	tx.InspectResponseHeaders(http.StatusOK, "HTTP/1.1", http.Header{"Content-Type": {"text/plain"}})
	tx.InspectResponseBody([]byte("hello"))
	if ids := tx.Verdict().RuleIDs(); slices.Contains(ids, 980170) {
		t.Fatalf("980170 reported before the logging phase: %v", ids)
	}
	tx.InspectLogging()
	if ids := tx.Verdict().RuleIDs(); !slices.Contains(ids, 920350) || !slices.Contains(ids, 980170) {
		t.Errorf("rules %v, want 920350 and the correlation rule 980170", ids)
	}
}
