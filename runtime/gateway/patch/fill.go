package patch

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrFillFailed is what readers of a download get when it failed part way.
var ErrFillFailed = errors.New("the patch file download from the origin failed part way")

// Fill is a patch file being downloaded whole. Clients read it while it arrives: a read
// waits only for the bytes it needs.
type Fill struct {
	store *Store
	url   string
	// Size is the Content-Length of the origin's answer, -1 when it sent none.
	Size   int64
	Header http.Header

	landed chan struct{} // closed once the response headers are known (or the fetch failed)
	failed bool          // set before landed closes: no file will come

	mu      sync.Mutex
	arrived *sync.Cond
	file    *os.File // write side, on the temporary name
	path    string   // where to open it: temporary, then final name
	written int64
	done    bool
	err     error
	result  *File
}

// Join returns the download in progress for url, or starts one that the caller (the
// leader) must fill with Start, Write and Finish (or Abort).
func (s *Store) Join(url string) (f *Fill, leader bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.fills[url]; ok {
		return f, false
	}
	f = &Fill{store: s, url: url, Size: -1, landed: make(chan struct{})}
	f.arrived = sync.NewCond(&f.mu)
	s.fills[url] = f
	return f, true
}

// Start opens the temporary file for the origin's answer and lets joiners in.
func (f *Fill) Start(header http.Header, size int64) error {
	tmp, err := os.CreateTemp(f.store.dir, tempPrefix+nameOf(f.url)[:16]+"-*")
	if err != nil {
		f.Abort()
		return fmt.Errorf("patch file for %s: %w", f.url, err)
	}
	f.mu.Lock()
	f.file, f.path, f.Header, f.Size = tmp, tmp.Name(), header, size
	f.mu.Unlock()
	close(f.landed)
	return nil
}

// Abort ends a download that never started (the origin failed or refused).
func (f *Fill) Abort() {
	f.store.mu.Lock()
	if f.store.fills[f.url] == f {
		delete(f.store.fills, f.url)
	}
	f.store.mu.Unlock()
	f.failed = true
	close(f.landed)
}

// Write appends bytes from the origin.
func (f *Fill) Write(p []byte) (int, error) {
	n, err := f.file.Write(p)
	f.mu.Lock()
	f.written += int64(n)
	f.mu.Unlock()
	f.arrived.Broadcast()
	if err != nil {
		return n, fmt.Errorf("write patch file: %w", err)
	}
	return n, nil
}

// Finish completes the download: on success the file is synced, renamed into place and
// indexed; on failure (or a size that does not match Content-Length) it is removed.
func (f *Fill) Finish(fetchErr error, now time.Time) (*File, error) {
	s := f.store
	err := fetchErr
	if err == nil && f.Size >= 0 && f.written != f.Size {
		err = fmt.Errorf("origin sent %d bytes of %d", f.written, f.Size)
	}
	if err == nil {
		err = f.file.Sync()
	}
	if cerr := f.file.Close(); err == nil {
		err = cerr
	}
	var file *File
	if err == nil {
		file = &File{URL: f.url, Size: f.written, Header: f.Header, FetchedAt: now, name: nameOf(f.url)}
		err = f.install(file)
	}
	s.mu.Lock()
	if s.fills[f.url] == f {
		delete(s.fills, f.url)
	}
	kept := err == nil && file.Size <= s.capacity
	if kept {
		s.addLocked(file)
	}
	s.mu.Unlock()
	if err == nil && !kept {
		// Larger than the whole store: readers that opened it finish, nobody else gets it.
		s.removeFiles(file.name)
		file = nil
	}

	f.mu.Lock()
	f.done = true
	if err != nil {
		f.err = ErrFillFailed
		os.Remove(f.path)
	}
	f.result = file
	f.mu.Unlock()
	f.arrived.Broadcast()
	if err != nil {
		return nil, fmt.Errorf("patch file %s: %w", f.url, err)
	}
	return file, nil
}

// install renames the complete data into place, then writes its metadata.
func (f *Fill) install(file *File) error {
	final := filepath.Join(f.store.dir, file.name+dataSuffix)
	f.mu.Lock()
	err := os.Rename(f.path, final)
	if err == nil {
		f.path = final
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if err := f.store.writeMeta(file); err != nil {
		os.Remove(final)
		return err
	}
	return nil
}

// Wait blocks until the origin's headers are known; false when the download never
// started (the joiner must fetch by itself) or done closed first.
func (f *Fill) Wait(done <-chan struct{}) bool {
	select {
	case <-f.landed:
		return !f.failed
	case <-done:
		return false
	}
}

// Reader opens the download for reading from its start. Reads wait for the bytes to
// arrive. Close it when done.
func (f *Fill) Reader() (*FillReader, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.Open(f.path)
	if err != nil {
		return nil, fmt.Errorf("open patch file: %w", err)
	}
	return &FillReader{fill: f, file: file}, nil
}

// WaitDone blocks until the download ended and returns the file (nil when it failed).
func (f *Fill) WaitDone() *File {
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.done {
		f.arrived.Wait()
	}
	return f.result
}

// FillReader reads a download in progress.
type FillReader struct {
	fill *Fill
	file *os.File
}

// ReadAt reads at off once the bytes have arrived.
func (r *FillReader) ReadAt(p []byte, off int64) (int, error) {
	want := off + int64(len(p))
	f := r.fill
	f.mu.Lock()
	for f.written < want && !f.done {
		f.arrived.Wait()
	}
	avail, failed := f.written, f.err != nil
	f.mu.Unlock()
	if failed {
		return 0, f.err
	}
	if avail < want {
		p = p[:max(avail-off, 0)]
	}
	n, err := r.file.ReadAt(p, off)
	if err == nil && int64(n) < want-off {
		err = io.EOF
	}
	return n, err
}

// Close releases the reader's descriptor.
func (r *FillReader) Close() error { return r.file.Close() }
