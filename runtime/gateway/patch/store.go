// Package patch is the cache port's patch mode: large files (updates, packages, images)
// kept on a directory of their own (the "second disk"), fetched whole once even when the
// first client asks for a range, and served with ranges, resume and multi-range from disk.
//
// Every file is written to a temporary name and renamed when complete, and its metadata
// is written after that, so a crash at any moment never leaves a half file that looks whole:
// on start, files without matching metadata are removed.
package patch

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/internal/atomicfile"
)

// File is one complete patch file on disk.
type File struct {
	URL       string      `json:"url"`
	Size      int64       `json:"size"`
	Header    http.Header `json:"header"` // the origin's end-to-end headers worth keeping
	FetchedAt time.Time   `json:"fetched_at"`

	name string        // hash of the URL: the base of the data and metadata files
	el   *list.Element // place in the LRU list
}

// Store is the directory of patch files with a byte cap and LRU eviction.
type Store struct {
	dir string

	mu       sync.Mutex
	capacity int64
	used     int64
	files    map[string]*File // by URL
	lru      *list.List       // of *File; front = most recently used
	fills    map[string]*Fill // downloads in progress, by URL
}

const (
	dataSuffix = ".data"
	metaSuffix = ".json"
	tempPrefix = ".tmp-"
)

// Open opens (creating it) the patch directory, drops what a crash left half written and
// indexes the complete files, evicting down to capacity bytes.
func Open(dir string, capacity int64) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("patch directory: %w (is the patch disk mounted at %s?)", err, dir)
	}
	s := &Store{dir: dir, capacity: capacity, files: map[string]*File{}, lru: list.New(), fills: map[string]*Fill{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("patch directory: %w", err)
	}
	var found []*File
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tempPrefix):
			os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, metaSuffix):
			if f := s.loadFile(strings.TrimSuffix(name, metaSuffix)); f != nil {
				found = append(found, f)
			}
		case strings.HasSuffix(name, dataSuffix):
			if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(name, dataSuffix)+metaSuffix)); err != nil {
				os.Remove(filepath.Join(dir, name)) // data whose metadata never got written
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].FetchedAt.Before(found[j].FetchedAt) })
	for _, f := range found {
		s.files[f.URL] = f
		f.el = s.lru.PushFront(f)
		s.used += f.Size
	}
	s.mu.Lock()
	s.evictLocked()
	s.mu.Unlock()
	return s, nil
}

// loadFile reads one metadata file; a file that does not match its data is removed.
func (s *Store) loadFile(name string) *File {
	metaPath, dataPath := filepath.Join(s.dir, name+metaSuffix), filepath.Join(s.dir, name+dataSuffix)
	data, err := os.ReadFile(metaPath)
	var f File
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	var st os.FileInfo
	if err == nil {
		st, err = os.Stat(dataPath)
	}
	if err != nil || st.Size() != f.Size || nameOf(f.URL) != name {
		os.Remove(metaPath)
		os.Remove(dataPath)
		return nil
	}
	f.name = name
	return &f
}

// nameOf is the file name of a URL: its SHA-256, so any URL maps to a safe name.
func nameOf(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])
}

// Get returns the complete file for url, or nil.
func (s *Store) Get(url string) *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[url]
	if f != nil {
		s.lru.MoveToFront(f.el)
	}
	return f
}

// OpenFile opens the data of f for reading. An evicted file stays readable through a
// descriptor opened before.
func (s *Store) OpenFile(f *File) (*os.File, error) {
	return os.Open(filepath.Join(s.dir, f.name+dataSuffix))
}

// Touch records that the origin confirmed f unchanged (a 304) at now.
func (s *Store) Touch(f *File, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files[f.URL] != f {
		return nil
	}
	n := *f // Files are immutable once indexed: readers may hold f
	n.FetchedAt = now
	if err := s.writeMeta(&n); err != nil {
		return err
	}
	n.el.Value = &n
	s.files[f.URL] = &n
	return nil
}

// Usage returns the number of files, the bytes they take and the cap.
func (s *Store) Usage() (files int, used, capacity int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files), s.used, s.capacity
}

// Resize changes the cap, evicting at once when it shrank.
func (s *Store) Resize(capacity int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capacity = capacity
	s.evictLocked()
}

func (s *Store) writeMeta(f *File) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("patch metadata of %s: %w", f.URL, err)
	}
	return atomicfile.Write(filepath.Join(s.dir, f.name+metaSuffix), data, 0o600)
}

// addLocked indexes a file just renamed into place, replacing an older copy.
func (s *Store) addLocked(f *File) {
	if old := s.files[f.URL]; old != nil {
		s.lru.Remove(old.el)
		s.used -= old.Size
	}
	s.files[f.URL] = f
	f.el = s.lru.PushFront(f)
	s.used += f.Size
	s.evictLocked()
}

func (s *Store) evictLocked() {
	for s.used > s.capacity && s.lru.Len() > 0 {
		f := s.lru.Back().Value.(*File)
		s.lru.Remove(f.el)
		delete(s.files, f.URL)
		s.used -= f.Size
		s.removeFiles(f.name)
	}
}

// removeFiles deletes a file's metadata, then its data: without metadata the data is never
// served again, even if a crash comes between the two.
func (s *Store) removeFiles(name string) {
	os.Remove(filepath.Join(s.dir, name+metaSuffix))
	os.Remove(filepath.Join(s.dir, name+dataSuffix))
}
