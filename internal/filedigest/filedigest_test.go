package filedigest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// newSettled returns a cache that remembers digests of files of any age, so tests need
// not wait for the files they just wrote to settle.
func newSettled(dir string) *Cache {
	c := New(dir)
	c.settle = 0
	return c
}

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o755); err != nil {
		t.Fatal(err)
	}
}

func sha(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

func mustSum(t *testing.T, c *Cache, path string) string {
	t.Helper()
	sum, err := c.SHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestDigestIsTheContentsSHA256(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bin")
	content := bytes.Repeat([]byte("rampart "), 100_000)
	writeFile(t, path, content)
	if got, want := mustSum(t, New(""), path), sha(content); got != want {
		t.Fatalf("SHA256 = %s, want %s", got, want)
	}
}

func TestRememberedAcrossProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(t.TempDir(), "bin")
	writeFile(t, path, []byte("first binary"))

	first := newSettled(dir)
	want := mustSum(t, first, path)
	if mustSum(t, first, path) != want || first.hashed != 1 {
		t.Fatalf("same process: read the file %d times, want 1", first.hashed)
	}
	// A new Cache on the same directory is what the next command sees.
	next := newSettled(dir)
	if got := mustSum(t, next, path); got != want {
		t.Fatalf("next process: SHA256 = %s, want %s", got, want)
	}
	if next.hashed != 0 {
		t.Fatalf("next process read the file %d times, want 0 (the digest is on disk)", next.hashed)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("cache directory mode = %o, want 700", perm)
	}
}

func TestRecentlyChangedFileIsNotRemembered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(t.TempDir(), "bin")
	writeFile(t, path, []byte("just built"))

	c := New(dir) // the real settle time: the file was written a moment ago
	mustSum(t, c, path)
	mustSum(t, c, path)
	if c.hashed != 2 {
		t.Fatalf("read the file %d times, want 2: a file changed within %s may change again unseen", c.hashed, settleTime)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("cache directory holds %d records, want none", len(entries))
	}
	// Once the file is old enough, it is remembered.
	c.now = func() time.Time { return time.Now().Add(2 * settleTime) }
	mustSum(t, c, path)
	mustSum(t, c, path)
	if c.hashed != 3 {
		t.Fatalf("read the file %d times, want 3", c.hashed)
	}
}

// An attacker (or a careless build) rewriting the binary in place, with the same size
// and its old modification time put back, cannot keep its change time.
func TestRewriteInPlaceIsNoticed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(t.TempDir(), "bin")
	old, replacement := []byte("genuine binary"), []byte("swapped binary")
	writeFile(t, path, old)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	before, _, err := statIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	c := newSettled(dir)
	if got := mustSum(t, c, path); got != sha(old) {
		t.Fatalf("SHA256 = %s, want %s", got, sha(old))
	}

	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(replacement, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	// The kernel's file clock is coarse: touch the file (chmod sets the change time)
	// until its change time has moved, as it always will on a real rewrite.
	deadline := time.Now().Add(5 * time.Second)
	for {
		after, _, err := statIdentity(path)
		if err != nil {
			t.Fatal(err)
		}
		if after.ChangeNanos != before.ChangeNanos {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the file's change time did not move in 5 s")
		}
		if err := os.Chmod(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	for name, cache := range map[string]*Cache{"same process": c, "next process": newSettled(dir)} {
		if got := mustSum(t, cache, path); got != sha(replacement) {
			t.Errorf("%s: SHA256 after the rewrite = %s, want %s", name, got, sha(replacement))
		}
	}
}

func TestReplacedFileIsNoticed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	bin := t.TempDir()
	path := filepath.Join(bin, "bin")
	writeFile(t, path, []byte("version 1"))
	c := newSettled(dir)
	mustSum(t, c, path)

	// The way installers replace binaries: a new file renamed over the old one.
	tmp := filepath.Join(bin, "bin.new")
	writeFile(t, tmp, []byte("version 2"))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if got := mustSum(t, newSettled(dir), path); got != sha([]byte("version 2")) {
		t.Fatalf("SHA256 after the replacement = %s, want the new content's", got)
	}
}

func TestRecordsOthersCouldWriteAreIgnored(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(t.TempDir(), "bin")
	content := []byte("the real binary")
	writeFile(t, path, content)
	c := newSettled(dir)
	mustSum(t, c, path)

	// Someone plants a record vouching for another digest and opens the directory up.
	id, _, err := statIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	forged, _ := json.Marshal(record{Path: abs, Identity: id, SHA256: sha([]byte("what the lock file says"))})
	writeFile(t, c.recordPath(abs), forged)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	next := newSettled(dir)
	if got := mustSum(t, next, path); got != sha(content) {
		t.Fatalf("SHA256 = %s, want the content's %s: a record in a world-writable directory was believed", got, sha(content))
	}
	if next.hashed != 1 {
		t.Fatalf("read the file %d times, want 1", next.hashed)
	}
}

func TestCorruptRecordIsIgnored(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(t.TempDir(), "bin")
	content := []byte("binary")
	writeFile(t, path, content)
	c := newSettled(dir)
	mustSum(t, c, path)
	abs, _ := filepath.Abs(path)
	for _, garbage := range []string{"", "{", `{"path":"/elsewhere","sha256":"00"}`, `{"path":"` + abs + `","sha256":"not hex"}`} {
		writeFile(t, c.recordPath(abs), []byte(garbage))
		next := newSettled(dir)
		if got := mustSum(t, next, path); got != sha(content) || next.hashed != 1 {
			t.Fatalf("record %q: SHA256 = %s after %d reads, want %s after 1", garbage, got, next.hashed, sha(content))
		}
	}
}

func TestConcurrentCallersReadTheFileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bin")
	content := bytes.Repeat([]byte{7}, 4<<20)
	writeFile(t, path, content)
	c := newSettled("")
	var wg sync.WaitGroup
	sums := make([]string, 8)
	for i := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], _ = c.SHA256(path)
		}()
	}
	wg.Wait()
	for i, s := range sums {
		if s != sha(content) {
			t.Fatalf("caller %d got %q", i, s)
		}
	}
	if c.hashed != 1 {
		t.Fatalf("read the file %d times for 8 concurrent callers, want 1", c.hashed)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := New("").SHA256(filepath.Join(t.TempDir(), "absent"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want a not-exist error", err)
	}
}
