package state

import "sync/atomic"

// Persisting the state after every instance of an apply must not re-encode the instances
// that did not change, and must know that cheaply: comparing a 200-container state's
// values with the ones last encoded cost more than encoding them. So every instance a
// Manager stores gets a generation, a number never given out twice in this process, and
// the Manager never changes a stored instance in place: SetInstance stores a stamped copy,
// Load stamps what it read, Current, Load and DeepCopy hand out copies without a
// generation, and Persist encodes a snapshot that keeps them. An address with its
// generation therefore always stands for the same recorded instance, every field of it,
// and the encoder can reuse what it rendered for that pair (see encodecache.go).
var lastGeneration atomic.Uint64

// stamp gives inst a new generation. Call it only on an instance no one else holds.
func (inst *Instance) stamp() {
	inst.gen = lastGeneration.Add(1)
}
