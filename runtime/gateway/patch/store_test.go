package patch

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// put downloads data for url through a Fill, as the cache port does.
func put(t *testing.T, s *Store, url string, data string) *File {
	t.Helper()
	f, leader := s.Join(url)
	if !leader {
		t.Fatalf("%s: a download is already in progress", url)
	}
	if err := f.Start(http.Header{"Content-Type": {"application/octet-stream"}}, int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, data); err != nil {
		t.Fatal(err)
	}
	file, err := f.Finish(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return file
}

// TestCrashLeftoversAreNeverServed: a temporary file, data without metadata and metadata
// whose data is short (what a crash or a bad disk leaves) are removed on start.
func TestCrashLeftoversAreNeverServed(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	good := put(t, s, "http://a/good.msu", "complete file")
	truncated := put(t, s, "http://a/truncated.msu", "0123456789")
	// Simulate the crashes: a half-written temporary, data never given metadata, and data
	// cut short behind its metadata's back.
	must(t, os.WriteFile(filepath.Join(dir, tempPrefix+"abc-1"), []byte("half"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, nameOf("http://a/orphan.msu")+dataSuffix), []byte("orphan"), 0o600))
	must(t, os.Truncate(filepath.Join(dir, truncated.name+dataSuffix), 4))

	s2, err := Open(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if f := s2.Get(good.URL); f == nil || f.Size != good.Size {
		t.Errorf("the complete file was not found after restart")
	}
	for _, url := range []string{"http://a/truncated.msu", "http://a/orphan.msu"} {
		if s2.Get(url) != nil {
			t.Errorf("%s is served after restart; it is not whole", url)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) || strings.HasPrefix(e.Name(), nameOf("http://a/orphan.msu")) {
			t.Errorf("leftover %s was not removed", e.Name())
		}
	}
}

// TestEvictionBySize: the cap is bytes on disk; the least recently used file goes first.
func TestEvictionBySize(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, 25)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "http://a/1", strings.Repeat("1", 10))
	put(t, s, "http://a/2", strings.Repeat("2", 10))
	s.Get("http://a/1") // 1 is now more recent than 2
	put(t, s, "http://a/3", strings.Repeat("3", 10))
	if s.Get("http://a/2") != nil || s.Get("http://a/1") == nil || s.Get("http://a/3") == nil {
		t.Error("eviction did not remove exactly the least recently used file")
	}
	if _, err := os.Stat(filepath.Join(dir, nameOf("http://a/2")+dataSuffix)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the evicted file is still on disk")
	}
	if files, used, _ := s.Usage(); files != 2 || used != 20 {
		t.Errorf("usage %d files %d bytes, want 2 and 20", files, used)
	}
}

// TestFailedDownloadLeavesNothing: a download cut short is removed and readers see an error.
func TestFailedDownloadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, 1<<20)
	f, _ := s.Join("http://a/x.msu")
	must(t, f.Start(http.Header{}, 100))
	r, err := f.Reader()
	must(t, err)
	defer r.Close()
	_, _ = io.WriteString(f, "only part")
	if _, err := f.Finish(nil, time.Now()); err == nil {
		t.Fatal("a download shorter than its Content-Length was accepted")
	}
	if _, err := r.ReadAt(make([]byte, 50), 0); !errors.Is(err, ErrFillFailed) {
		t.Errorf("reader of a failed download: %v, want ErrFillFailed", err)
	}
	if s.Get("http://a/x.msu") != nil {
		t.Error("a failed download is served")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed download left %d files", len(entries))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestTouchKeepsTheFileAcrossRestarts: a revalidated file's new time is on disk.
func TestTouchKeepsTheFileAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, 1<<20)
	f := put(t, s, "http://a/t.msu", "data")
	later := f.FetchedAt.Add(time.Hour)
	must(t, s.Touch(f, later))
	if got := s.Get(f.URL); got == nil || !got.FetchedAt.Equal(later) {
		t.Fatalf("after Touch: %+v", got)
	}
	s2, _ := Open(dir, 1<<20)
	if got := s2.Get(f.URL); got == nil || !got.FetchedAt.Equal(later) {
		t.Errorf("after restart: %+v, want fetched at %s", got, later)
	}
}
