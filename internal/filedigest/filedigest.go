// Package filedigest computes the SHA-256 of large files (plugin and runtime binaries)
// and remembers it, in the process and across processes, while the file provably has
// not changed.
//
// Every rampart command checks its provider plugins against the lock file, and the
// Docker provider names its images after the runtime binary's digest. Hashing the two
// 25 MB binaries cost about 40 ms of CPU per command, 20 ms of it before the plugin can
// even start. A digest is reused the way git reuses its index: while the file keeps its
// device, inode, size, modification time and change time. The change time cannot be set
// by a user (only the kernel's clock sets it), so rewriting a binary, even in place with
// the same size and a restored modification time, always gives it another identity.
package filedigest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/internal/atomicfile"
)

// settleTime is how old a file's change time must be before its digest is remembered.
// The kernel stamps files from a coarse clock (it ticks every 1 to 10 ms), so a file
// rewritten within the same tick as the one we hashed could keep its change time; a file
// whose change time is older than this cannot be rewritten without getting a new one.
const settleTime = time.Second

// Cache remembers digests. Its zero value is not usable: use New or Default.
type Cache struct {
	dir    string // where digests persist between processes; "" keeps them in memory only
	settle time.Duration
	now    func() time.Time

	mu       sync.Mutex
	memory   map[string]record      // by absolute path
	inflight map[string]*sync.Mutex // by absolute path: one hash at a time, the others wait
	hashed   int                    // files actually read, for tests
}

// record is what is remembered of one file.
type record struct {
	Path     string   `json:"path"`
	Identity identity `json:"identity"`
	SHA256   string   `json:"sha256"`
}

// New returns a cache that persists digests in dir (created 0700 if missing). With dir
// "" digests are remembered for the life of the process only.
func New(dir string) *Cache {
	return &Cache{dir: dir, settle: settleTime, now: time.Now, memory: map[string]record{}, inflight: map[string]*sync.Mutex{}}
}

var (
	defaultOnce  sync.Once
	defaultCache *Cache
)

// Default is the cache every rampart process shares: in the user's cache directory
// ($XDG_CACHE_HOME/rampart/file-digests, usually ~/.cache/rampart/file-digests), or in
// memory only when there is none.
func Default() *Cache {
	defaultOnce.Do(func() {
		dir := ""
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "rampart", "file-digests")
		}
		defaultCache = New(dir)
	})
	return defaultCache
}

// SHA256 returns the lowercase hex SHA-256 of the file's content.
func (c *Cache) SHA256(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	before, known, err := statIdentity(abs)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	if sum, ok := c.lookup(abs, before, known); ok {
		return sum, nil
	}
	// Concurrent callers asking for the same file (parallel Plan calls all need the
	// runtime binary's digest) wait for one read instead of each reading it.
	lock := c.pathLock(abs)
	lock.Lock()
	defer lock.Unlock()
	if sum, ok := c.lookup(abs, before, known); ok {
		return sum, nil
	}
	sum, err := hashFile(abs)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	c.mu.Lock()
	c.hashed++
	c.mu.Unlock()
	after, _, err := statIdentity(abs)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	// A file that changed while it was read, or so recently that it could change again
	// without its identity showing it, is hashed again next time.
	if known && after == before && c.settled(after) {
		c.remember(record{Path: abs, Identity: after, SHA256: sum})
	}
	return sum, nil
}

// settled says whether the file's change time is old enough for its identity to prove
// that its content is unchanged.
func (c *Cache) settled(id identity) bool {
	return time.Unix(0, id.ChangeNanos).Before(c.now().Add(-c.settle))
}

func (c *Cache) pathLock(abs string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	lock := c.inflight[abs]
	if lock == nil {
		lock = &sync.Mutex{}
		c.inflight[abs] = lock
	}
	return lock
}

// lookup returns the remembered digest of a file that still has the identity it had.
func (c *Cache) lookup(abs string, id identity, known bool) (string, bool) {
	if !known {
		return "", false
	}
	c.mu.Lock()
	r, ok := c.memory[abs]
	c.mu.Unlock()
	if ok && r.Identity == id {
		return r.SHA256, true
	}
	r, ok = c.load(abs)
	if !ok || r.Identity != id {
		return "", false
	}
	c.mu.Lock()
	c.memory[abs] = r
	c.mu.Unlock()
	return r.SHA256, true
}

func (c *Cache) remember(r record) {
	c.mu.Lock()
	c.memory[r.Path] = r
	c.mu.Unlock()
	c.store(r)
}

// load reads the persisted record of a file. Anything wrong with it (missing, corrupt,
// for another path, in a directory others could write) means there is none.
func (c *Cache) load(abs string) (record, bool) {
	if !c.trustedDir() {
		return record{}, false
	}
	data, err := os.ReadFile(c.recordPath(abs))
	if err != nil {
		return record{}, false
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil || r.Path != abs || !validHex(r.SHA256) {
		return record{}, false
	}
	return r, true
}

// store persists a record; failing to is not an error, only a slower next command.
func (c *Cache) store(r record) {
	if c.dir == "" {
		return
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil || !c.trustedDir() {
		return
	}
	data, err := json.Marshal(r)
	if err != nil {
		return
	}
	_ = atomicfile.Write(c.recordPath(r.Path), data, 0o600)
}

// trustedDir says whether the cache directory may be believed: a record there vouches
// for a binary rampart is about to run, so only the current user may be able to write it.
func (c *Cache) trustedDir() bool {
	if c.dir == "" {
		return false
	}
	info, err := os.Lstat(c.dir)
	if err != nil || !info.IsDir() || info.Mode().Perm()&0o022 != 0 {
		return false
	}
	return ownedByCurrentUser(info)
}

// recordPath is the file holding the record of abs: named after a hash of the path, so
// any path maps to one flat, fixed-length name.
func (c *Cache) recordPath(abs string) string {
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func validHex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
