package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/rampart-sec/rampart/internal/atomicfile"
)

// Local is the `local` backend: the state is a JSON file. Writes are atomic, the previous
// file is kept as <path>.backup and the lock is the file <path>.lock naming its holder.
type Local struct {
	path string

	writeMu sync.Mutex // one Write at a time: they share buf
	// buf is where Write encodes the document (secrets sealed, as in the file). Writes
	// reuse it: an apply writes a state of megabytes after every instance.
	buf []byte

	mu         sync.Mutex
	secret     string // the RAMPART_STATE_KEY value key was parsed from
	key        *Key   // cached so a passphrase is derived once per run
	staleTaken *LockInfo
}

var _ Backend = (*Local)(nil)

// NewLocal returns the local backend storing the state at path.
func NewLocal(path string) *Local {
	return &Local{path: path}
}

// Path is the state file.
func (l *Local) Path() string { return l.path }

// Read returns the state in the file, or (nil, nil) when the file does not exist.
func (l *Local) Read(ctx context.Context) (*State, error) {
	data, err := os.ReadFile(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", l.path, err)
	}
	key, err := l.stateKey()
	if err != nil {
		return nil, err
	}
	s, err := Decode(data, key)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", l.path, err)
	}
	return s, nil
}

// Write replaces the state file atomically (mode 0600) and keeps the previous one as
// <path>.backup.
func (l *Local) Write(ctx context.Context, s *State) error {
	key, err := l.stateKey()
	if err != nil {
		return err
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	data, err := s.appendEncoded(l.buf[:0], key)
	if errors.Is(err, ErrNoKey) {
		return err // the message already says what to do
	}
	if err != nil {
		return fmt.Errorf("write state %s: %w", l.path, err)
	}
	l.buf = data
	err = atomicfile.Replace(l.path, data, 0o600, func() error { return keepBackup(l.path, l.path+".backup") })
	if err != nil {
		return fmt.Errorf("write state %s: %w", l.path, err)
	}
	return nil
}

// stateKey returns the key from RAMPART_STATE_KEY, parsing it again only when the
// variable changed.
func (l *Local) stateKey() (*Key, error) {
	secret := os.Getenv(KeyEnv)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key != nil && secret == l.secret {
		return l.key, nil
	}
	if secret == "" {
		l.key, l.secret = nil, ""
		return nil, nil
	}
	key, err := ParseKey(secret)
	if err != nil {
		return nil, err
	}
	l.key, l.secret = key, secret
	return key, nil
}
