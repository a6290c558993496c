// Package state is rampart's record of what it manages: per appliance instance its provider,
// placement and last applied value. State is a JSON document with a format version, a
// lineage (the random id of this state's history) and a serial (incremented on every
// write). Backends store it; Manager serialises concurrent updates during an apply and
// persists after every instance.
package state

import (
	"context"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the version of the state JSON document.
const FormatVersion = 1

// State is the whole state of one rampart working directory (workspace).
type State struct {
	FormatVersion  int
	RampartVersion string
	Lineage        string
	Serial         uint64
	// Instances, sorted by Address.
	Instances []*Instance
	// Outputs by name.
	Outputs map[string]*Output
}

// Instance is the recorded state of one appliance instance.
type Instance struct {
	Address       string // waf.shop, waf.edge["eu"]
	Kind          string // waf
	Provider      string // provider configuration address: provider.local, provider.docker.dmz
	Placement     string // placement block type: local
	SchemaVersion int64  // the placement schema version the value was written with
	// Value is an object with the attributes "runtime" and "placement", as the provider
	// returned it after apply. Sensitive values carry the "sensitive" mark; backends
	// never write them in clear text.
	Value cty.Value
	// Private is opaque provider data.
	Private []byte
	// Dependencies are the addresses this instance depended on when applied, so destroy
	// can run in reverse order even after the configuration is gone.
	Dependencies []string
	// CreateBeforeDestroy is the lifecycle setting when applied.
	CreateBeforeDestroy bool `json:",omitempty"`

	// gen identifies this exact instance record while a Manager holds it (see
	// generation.go): the Manager never changes a stored instance in place, so an
	// address and a gen name one encoding. 0, the value of every Instance built or
	// copied outside the Manager, means "unknown": always encoded afresh.
	gen uint64
}

// Output is a recorded output value.
type Output struct {
	Value     cty.Value
	Sensitive bool
}

// LockInfo says who holds a state lock.
type LockInfo struct {
	ID        string    // random id of this lock
	Operation string    // apply, destroy, import, state rm
	Who       string    // user@host
	PID       int       // process id of the holder
	Host      string    // hostname of the holder
	Created   time.Time // when the lock was taken
	Version   string    // rampart version of the holder
}

// Unlocker releases a lock.
type Unlocker func() error

// Backend stores state. Every backend passes the conformance tests in this package.
type Backend interface {
	// Read returns the stored state, or (nil, nil) when there is none yet.
	Read(ctx context.Context) (*State, error)
	// Write stores s atomically: a reader sees the old or the new state, never a mix.
	Write(ctx context.Context, s *State) error
	// Lock takes the state lock for info.Operation. When another process holds it, Lock
	// retries until ctx is done and then returns a *LockedError naming the holder.
	Lock(ctx context.Context, info *LockInfo) (Unlocker, error)
}

// LockedError is returned when the state is locked by someone else.
type LockedError struct {
	Holder *LockInfo
	Path   string // where the lock lives, for the message
	State  string // which state is locked, for the message (e.g. rampart.state)
}
