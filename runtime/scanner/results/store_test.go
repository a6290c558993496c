package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/checks"
)

func finding(id, host string, port int) checks.Finding {
	return checks.Finding{CheckID: id, Title: id, Severity: 3, Host: host, Port: port, Evidence: "e", Remediation: "r"}
}

func TestSaveComputesDiffWithThePreviousRun(t *testing.T) {
	store, err := Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := []checks.Finding{finding("tls-1.0", "10.0.0.1", 443), finding("redis-noauth", "10.0.0.1", 6379)}
	sum, err := store.Save(Summary{Job: "nightly", RunID: NewRunID(start)}, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Diff.New) != 2 || sum.Diff.Previous != "" {
		t.Errorf("first run: diff %+v, want 2 new and no previous run", sum.Diff)
	}
	second := []checks.Finding{finding("tls-1.0", "10.0.0.1", 443), finding("ssh-weak-kex", "10.0.0.2", 22)}
	sum, err = store.Save(Summary{Job: "nightly", RunID: NewRunID(start.Add(time.Hour))}, second)
	if err != nil {
		t.Fatal(err)
	}
	d := sum.Diff
	if d.Previous != NewRunID(start) || d.Unchanged != 1 || len(d.New) != 1 || d.New[0].CheckID != "ssh-weak-kex" ||
		len(d.Fixed) != 1 || d.Fixed[0].CheckID != "redis-noauth" {
		t.Errorf("second run diff = %+v", d)
	}
	latest, err := store.Latest("nightly")
	if err != nil || latest == nil || latest.RunID != sum.RunID {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	got, err := store.Findings("nightly", sum.RunID)
	if err != nil || len(got) != 2 {
		t.Fatalf("findings = %v, %v", got, err)
	}
	info, err := os.Stat(filepath.Join(store.Dir, "jobs", "nightly", "runs", sum.RunID, "findings.jsonl"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("findings file mode = %v (%v), want 0600: findings describe weaknesses", info.Mode(), err)
	}
}

func TestSaveKeepsOnlyRecentRuns(t *testing.T) {
	store, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store.Keep = 2
	start := time.Now()
	for i := range 4 {
		if _, err := store.Save(Summary{Job: "j", RunID: NewRunID(start.Add(time.Duration(i) * time.Second))}, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(store.Dir, "jobs", "j", "runs"))
	if len(entries) != 2 {
		t.Errorf("%d runs kept, want 2", len(entries))
	}
}

func TestJobNameCannotEscapeTheDataDirectory(t *testing.T) {
	store, _ := Open(t.TempDir())
	if _, err := store.Save(Summary{Job: "../etc", RunID: "x"}, nil); err == nil {
		t.Error("job name ../etc accepted")
	}
}
