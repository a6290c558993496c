package scanner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/scanner/lab"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

func writeConfig(t *testing.T, path string, v map[string]any) {
	t.Helper()
	data, _ := json.Marshal(v)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

type statusDoc struct {
	admin.Status
	Details struct {
		Capacity struct {
			InFlight int    `json:"in_flight"`
			Reason   string `json:"reason"`
		} `json:"scanning_capacity"`
		Jobs []struct {
			Name string           `json:"name"`
			Runs int              `json:"runs"`
			Last *results.Summary `json:"last_run"`
		} `json:"jobs"`
	} `json:"details"`
}

// waitRuns polls /status until job has run n times (bounded: 2 minutes).
func waitRuns(t *testing.T, base, job string, n int) statusDoc {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var st statusDoc
		getJSON(t, base+"/status", &st)
		for _, j := range st.Details.Jobs {
			if j.Name == job && j.Runs >= n {
				return st
			}
		}
		time.Sleep(100 * time.Millisecond) // polling /status: the API offers no run notification
	}
	t.Fatalf("job %s did not complete %d runs in 2 minutes", job, n)
	return statusDoc{}
}

// The appliance: a one-shot job runs at start and is saved under data_dir; /status carries
// the capacity and the facts `rampart status` shows; /metrics the figures; a bad reload keeps
// the configuration; a changed job runs again and its diff says what changed.
func TestServerRunsJobsAndReports(t *testing.T) {
	l := standardLab(t)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	configPath := filepath.Join(dir, "scanner.json")
	port := freeport.Port(t)
	weak := l.Host(lab.HostWeak).Addr.String()
	cfg := map[string]any{
		"admin":    map[string]any{"listen": fmt.Sprintf("127.0.0.1:%d", port)},
		"data_dir": dataDir,
		"job":      []map[string]any{{"name": "lab", "targets": []string{weak}, "ports": "22,80,6379"}},
		"limits":   map[string]any{"service_timeout": "3s"},
	}
	writeConfig(t, configPath, cfg)
	s, err := New(Options{ConfigPath: configPath, Logger: logging.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	base := "http://" + s.AdminAddr().String()
	st := waitRuns(t, base, "lab", 1)
	if st.Kind != "scanner" || !st.Ready || st.Details.Capacity.InFlight == 0 || !strings.Contains(st.Details.Capacity.Reason, "scanning capacity") {
		t.Errorf("status: kind %s ready %v capacity %+v", st.Kind, st.Ready, st.Details.Capacity)
	}
	facts := map[string]string{}
	for _, f := range st.Facts {
		facts[f.Name] = f.Value
	}
	for _, name := range []string{"scanning capacity", "last run", "hosts up", "open ports", "findings"} {
		if facts[name] == "" {
			t.Errorf("fact %q missing: %v", name, facts)
		}
	}
	if facts["hosts up"] != "1 of 1" || facts["open ports"] != "3" || !strings.Contains(facts["findings"], "high") {
		t.Errorf("facts = %v", facts)
	}
	last := st.Details.Jobs[0].Last
	if _, err := os.Stat(filepath.Join(dataDir, "jobs", "lab", "runs", last.RunID, "findings.jsonl")); err != nil {
		t.Errorf("findings file: %v", err)
	}
	if len(last.Diff.New) != last.Findings || last.Findings == 0 {
		t.Errorf("first run: %d findings, %d new; want all new and some", last.Findings, len(last.Diff.New))
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`rampart_scanner_open_ports{job="lab"} 3`, `rampart_scanner_hosts_up{job="lab"} 1`, "rampart_scanner_capacity_in_flight ", `rampart_scanner_findings{job="lab",severity="high"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// A bad file is refused and the running configuration stays.
	os.WriteFile(configPath, []byte(`{"job":[{"name":"lab","targets":["10.0.0.0/8"]}]}`), 0o600)
	if err := s.Reload(); err == nil || !strings.Contains(err.Error(), "targets[0]") {
		t.Errorf("bad reload: %v", err)
	}
	// Dropping port 80 from the job: a new definition runs again; the HTTP findings are fixed.
	cfg["job"] = []map[string]any{{"name": "lab", "targets": []string{weak}, "ports": "22,6379"}}
	writeConfig(t, configPath, cfg)
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	st = waitRuns(t, base, "lab", 2)
	diff := st.Details.Jobs[0].Last.Diff
	if diff.Previous != last.RunID || len(diff.Fixed) == 0 || diff.Unchanged == 0 || len(diff.New) != 0 {
		t.Errorf("second run diff: previous %s fixed %d unchanged %d new %d", diff.Previous, len(diff.Fixed), diff.Unchanged, len(diff.New))
	}
	for _, f := range diff.Fixed {
		if f.Port != 80 {
			t.Errorf("fixed finding on port %d, only port 80 left the job", f.Port)
		}
	}
	if st.ConfigGeneration != 2 {
		t.Errorf("config generation %d, want 2 (the bad reload must not count)", st.ConfigGeneration)
	}
}
