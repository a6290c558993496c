package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/version"
)

// Manager holds the state of one command run over a Backend. Parallel apply workers
// update it with SetInstance and RemoveInstance and call Persist after each instance;
// Manager serialises the writes so they never interleave and skips writes that would
// store nothing new. Take the Lock before Load, so the state read is the latest.
// It never changes an instance it stores in place, and never hands one out (only
// copies), so persisting re-encodes only the instances recorded since the last write
// (see generation.go).
type Manager struct {
	backend Backend

	persistMu sync.Mutex // one Persist at a time

	mu        sync.Mutex // guards the fields below
	state     *State
	changes   uint64 // bumped by every mutation
	persisted uint64 // changes as of the last successful write
	warnings  []string
}

// NewManager returns a Manager over b. Call Load before anything else.
func NewManager(b Backend) *Manager {
	return &Manager{backend: b}
}

// Load reads the state from the backend. When there is none yet it starts a fresh state
// with a random lineage, without writing it: the first Persist with a change does.
func (m *Manager) Load(ctx context.Context) (*State, error) {
	s, err := m.backend.Read(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = NewState()
	}
	if s.Outputs == nil {
		s.Outputs = map[string]*Output{}
	}
	for _, inst := range s.Instances {
		inst.stamp()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = s
	m.changes, m.persisted = 0, 0
	return s.DeepCopy(), nil
}

// Current returns a copy of the state as it is now, persisted or not; nil before Load.
func (m *Manager) Current() *State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state.DeepCopy()
}

// SetInstance records inst (a copy of it), replacing the instance with its address.
func (m *Manager) SetInstance(inst *Instance) {
	stored := inst.DeepCopy()
	stored.stamp()
	m.update(func(s *State) { s.SetInstance(stored) })
}

// RemoveInstance forgets the instance at addr.
func (m *Manager) RemoveInstance(addr string) {
	m.update(func(s *State) { s.RemoveInstance(addr) })
}

// SetOutputs replaces all outputs.
func (m *Manager) SetOutputs(outputs map[string]*Output) {
	m.update(func(s *State) {
		s.Outputs = make(map[string]*Output, len(outputs))
		for name, out := range outputs {
			o := *out
			s.Outputs[name] = &o
		}
	})
}

func (m *Manager) update(change func(*State)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state == nil {
		panic("state.Manager: state changed before Load")
	}
	change(m.state)
	m.changes++
}

// Persist writes the state with the next serial, unless nothing changed since the last
// Persist. Concurrent calls are serialised.
func (m *Manager) Persist(ctx context.Context) error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()

	m.mu.Lock()
	if m.state == nil {
		m.mu.Unlock()
		return errors.New("persist state: the state was never loaded")
	}
	if m.changes == m.persisted {
		m.mu.Unlock()
		return nil
	}
	snapshot := m.state.snapshot()
	snapshot.Serial++
	snapshot.RampartVersion = version.Version
	upTo := m.changes
	m.mu.Unlock()

	// The write runs outside mu so workers can keep recording results meanwhile.
	if err := m.backend.Write(ctx, snapshot); err != nil {
		return err
	}
	m.mu.Lock()
	m.state.Serial = snapshot.Serial
	m.state.RampartVersion = snapshot.RampartVersion
	m.persisted = upTo
	m.mu.Unlock()
	return nil
}

// staleLockReporter is implemented by backends that can take over a dead holder's lock.
type staleLockReporter interface {
	TakenOverStaleLock() *LockInfo
}

// Lock takes the state lock for operation, waiting up to timeout for another holder to
// release it (timeout 0 tries once). On failure the error is a *LockedError naming the
// holder.
func (m *Manager) Lock(ctx context.Context, operation string, timeout time.Duration) (Unlocker, error) {
	lockCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	unlock, err := m.backend.Lock(lockCtx, NewLockInfo(operation))
	if err != nil {
		return nil, err
	}
	if r, ok := m.backend.(staleLockReporter); ok {
		if h := r.TakenOverStaleLock(); h != nil {
			m.mu.Lock()
			m.warnings = append(m.warnings, fmt.Sprintf(
				"removed a stale state lock left by %s (%s, pid %d, since %s): that process no longer runs",
				h.Operation, h.Who, h.PID, h.Created.UTC().Format(time.RFC3339)))
			m.mu.Unlock()
		}
	}
	return unlock, nil
}

// Warnings are things the user should hear about, such as a stale lock taken over.
func (m *Manager) Warnings() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.warnings...)
}
