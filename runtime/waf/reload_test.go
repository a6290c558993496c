package waf_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestReloadSwapsValidConfig(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	w := startWAF(t, simpleConfig("block", a.address()))
	before := w.status(t)
	if before.ConfigSHA256 != fileSHA256(t, w.configPath) || before.ConfigGeneration != 1 {
		t.Fatalf("status before reload: sha %s generation %d", before.ConfigSHA256, before.ConfigGeneration)
	}

	writeConfig(t, w.configPath, simpleConfig("off", b.address()))
	if err := w.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	after := w.status(t)
	if after.ConfigSHA256 != fileSHA256(t, w.configPath) || after.ConfigSHA256 == before.ConfigSHA256 {
		t.Errorf("config_sha256 after reload = %s, want the new file's", after.ConfigSHA256)
	}
	if after.ConfigGeneration != 2 {
		t.Errorf("config_generation = %d, want 2", after.ConfigGeneration)
	}
	if resp := w.get(t, "", "/?q=<script>"); resp.status != http.StatusOK || resp.body != "b" {
		t.Errorf("after reload: %d %q, want 200 from b with inspection off", resp.status, resp.body)
	}
}

func TestReloadKeepsRunningConfigOnInvalidFile(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	before := w.status(t)

	broken := []string{
		`{"listen": {"http": 1}, "site": [`,                                                 // not JSON
		`{"listen": {"http": 1}, "site": [{"name": "x", "pool": "missing"}]}`,               // invalid
		`{"listen": {"http": 1}, "typo_field": true, "site": [{"name": "x", "pool": "p"}]}`, // unknown field
	}
	for _, content := range broken {
		if err := os.WriteFile(w.configPath, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := w.Reload(); err == nil {
			t.Errorf("Reload accepted %s", content)
		}
		st := w.status(t)
		if st.ConfigSHA256 != before.ConfigSHA256 || st.ConfigGeneration != before.ConfigGeneration {
			t.Errorf("status changed after a failed reload: %s gen %d", st.ConfigSHA256, st.ConfigGeneration)
		}
		if resp := w.get(t, "", "/?q=<script>"); resp.status != http.StatusForbidden {
			t.Errorf("after a failed reload the old policy must still block: got %d", resp.status)
		}
	}
	if !strings.Contains(w.logs.String(), "reload failed") {
		t.Error("the failed reload was not logged")
	}
}

func TestReloadOfListenSettingsNeedsRestart(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	cfg := simpleConfig("block", a.address())
	cfg.Listen.HTTP = 2 // differs from the start-up placeholder
	writeConfig(t, w.configPath, cfg)
	if err := w.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	st := w.status(t)
	if !slices.Equal(st.RestartRequired, []string{"listen"}) {
		t.Errorf("restart_required = %v, want [listen]", st.RestartRequired)
	}
	if resp := w.get(t, "", "/"); resp.status != http.StatusOK {
		t.Errorf("the old listener must keep serving: status %d", resp.status)
	}
	if !strings.Contains(w.logs.String(), "restart required") {
		t.Error("the needed restart was not logged")
	}
}

func TestAdminEndpoints(t *testing.T) {
	a := startBackend(t, "a")
	w := startWAF(t, simpleConfig("block", a.address()))
	w.get(t, "localhost", "/") // a name, not an IP: rule 920350 stays quiet
	w.get(t, "", "/?q=<script>")

	if resp := do(t, mustRequest(t, http.MethodGet, w.adminURL+"/healthz")); resp.status != http.StatusOK || resp.body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", resp.status, resp.body)
	}
	st := w.status(t)
	if st.Kind != "waf" || st.Version == "" || st.StartedAt.IsZero() || !st.Ready {
		t.Errorf("status = %+v, want kind waf, a version, started_at and ready", st)
	}

	metrics := do(t, mustRequest(t, http.MethodGet, w.adminURL+"/metrics")).body
	for _, want := range []string{
		`rampart_waf_requests_total{site="main",code="2xx",action="passed"} 1`,
		`rampart_waf_requests_total{site="main",code="4xx",action="blocked"} 1`,
		`rampart_waf_rule_hits_total{rule="941100"} 1`,
		`rampart_waf_rule_hits_total{rule="949110"} 1`,
		`rampart_waf_inspection_duration_seconds_count 2`,
		`rampart_waf_inspections_running 0`,
		`rampart_waf_inspections_rejected_total{reason="queue_full"} 0`,
		`rampart_waf_pool_members_up{pool="app"} 1`,
		`rampart_build_info{kind="waf",version=`,
		"# TYPE rampart_waf_inspection_duration_seconds histogram",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}

	if resp := do(t, mustRequest(t, http.MethodPost, w.adminURL+"/reload")); resp.status != http.StatusOK {
		t.Errorf("POST /reload = %d %s", resp.status, resp.body)
	}
	if got := w.status(t).ConfigGeneration; got != 2 {
		t.Errorf("config_generation after POST /reload = %d, want 2", got)
	}
	if err := os.WriteFile(w.configPath, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if resp := do(t, mustRequest(t, http.MethodPost, w.adminURL+"/reload")); resp.status != http.StatusUnprocessableEntity {
		t.Errorf("POST /reload with a broken file = %d, want 422", resp.status)
	}
	for _, tt := range []struct{ method, path string }{
		{http.MethodPost, "/healthz"}, {http.MethodDelete, "/status"}, {http.MethodPut, "/metrics"}, {http.MethodGet, "/reload"},
	} {
		if resp := do(t, mustRequest(t, tt.method, w.adminURL+tt.path)); resp.status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d, want 405", tt.method, tt.path, resp.status)
		}
	}
}
