package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/rampart-sec/rampart/internal/atomicfile"
	"github.com/rampart-sec/rampart/runtime/scanner/checks"
)

// Store is the data directory of one scanner.
type Store struct {
	Dir string
	// Keep is how many runs per job are kept; older ones are removed (0: DefaultKeep).
	Keep int
}

// DefaultKeep runs per job stay on disk.
const DefaultKeep = 30

var safeJobName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Open checks that dir can hold results (creating it 0700: findings describe weaknesses).
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w (set data_dir to a writable directory)", dir, err)
	}
	return &Store{Dir: dir}, nil
}

func (s *Store) jobDir(job string) (string, error) {
	if !safeJobName.MatchString(job) || job == "." || job == ".." {
		return "", fmt.Errorf("job name %q cannot name a directory: use letters, digits, '.', '_' and '-'", job)
	}
	return filepath.Join(s.Dir, "jobs", job), nil
}

// NewRunID is a sortable id for a run starting at t.
func NewRunID(t time.Time) string { return t.UTC().Format("20060102T150405.000Z") }

// Save writes the findings and summary of a run, after computing its Diff against the job's
// previous run; it returns the summary as written.
func (s *Store) Save(sum Summary, findings []checks.Finding) (Summary, error) {
	dir, err := s.jobDir(sum.Job)
	if err != nil {
		return sum, err
	}
	previous, err := s.Latest(sum.Job)
	if err != nil {
		return sum, err
	}
	var before []checks.Finding
	if previous != nil {
		if before, err = s.Findings(sum.Job, previous.RunID); err != nil {
			return sum, err
		}
		sum.Diff = Compare(previous.RunID, before, findings)
	} else {
		sum.Diff = Compare("", nil, findings)
	}
	runDir := filepath.Join(dir, "runs", sum.RunID)
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return sum, fmt.Errorf("save run %s/%s: %w", sum.Job, sum.RunID, err)
	}
	var lines []byte
	for _, f := range findings {
		line, err := json.Marshal(f)
		if err != nil {
			return sum, fmt.Errorf("encode finding: %w", err)
		}
		lines = append(append(lines, line...), '\n')
	}
	if err := atomicfile.Write(filepath.Join(runDir, "findings.jsonl"), lines, 0o600); err != nil {
		return sum, fmt.Errorf("save findings of %s/%s: %w", sum.Job, sum.RunID, err)
	}
	summary, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return sum, fmt.Errorf("encode summary: %w", err)
	}
	summary = append(summary, '\n')
	if err := atomicfile.Write(filepath.Join(runDir, "summary.json"), summary, 0o600); err != nil {
		return sum, fmt.Errorf("save summary of %s/%s: %w", sum.Job, sum.RunID, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, "latest.json"), summary, 0o600); err != nil {
		return sum, fmt.Errorf("save latest summary of %s: %w", sum.Job, err)
	}
	return sum, s.prune(dir)
}

// Latest is the newest summary of job, nil before its first run.
func (s *Store) Latest(job string) (*Summary, error) {
	dir, err := s.jobDir(job)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "latest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read latest run of %s: %w", job, err)
	}
	var sum Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, fmt.Errorf("read latest run of %s: %w (remove the file to start afresh)", job, err)
	}
	return &sum, nil
}

// Findings reads the findings of one run.
func (s *Store) Findings(job, runID string) ([]checks.Finding, error) {
	dir, err := s.jobDir(job)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "runs", filepath.Base(runID), "findings.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read findings of %s/%s: %w", job, runID, err)
	}
	defer f.Close()
	var out []checks.Finding
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var finding checks.Finding
		if err := json.Unmarshal(sc.Bytes(), &finding); err != nil {
			return nil, fmt.Errorf("read findings of %s/%s: %w", job, runID, err)
		}
		out = append(out, finding)
	}
	return out, sc.Err()
}

// prune removes the oldest runs beyond Keep.
func (s *Store) prune(jobDir string) error {
	keep := s.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	entries, err := os.ReadDir(filepath.Join(jobDir, "runs"))
	if err != nil {
		return fmt.Errorf("list runs: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	for len(names) > keep {
		if err := os.RemoveAll(filepath.Join(jobDir, "runs", names[0])); err != nil {
			return fmt.Errorf("remove old run: %w", err)
		}
		names = names[1:]
	}
	return nil
}
