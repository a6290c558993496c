package state

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"github.com/rampart-sec/rampart/version"
)

// NewState returns an empty state with a fresh random lineage and serial 0.
func NewState() *State {
	return &State{
		FormatVersion:  FormatVersion,
		RampartVersion: version.Version,
		Lineage:        newLineage(),
		Outputs:        map[string]*Output{},
	}
}

// newLineage returns 16 random bytes in hex. crypto/rand never fails on supported
// platforms (it panics instead), so there is no error to return.
func newLineage() string {
	return randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// Instance returns the instance at addr, or nil.
func (s *State) Instance(addr string) *Instance {
	i, found := s.find(addr)
	if !found {
		return nil
	}
	return s.Instances[i]
}

func (s *State) find(addr string) (int, bool) {
	i := sort.Search(len(s.Instances), func(i int) bool { return s.Instances[i].Address >= addr })
	return i, i < len(s.Instances) && s.Instances[i].Address == addr
}

// SetInstance adds inst or replaces the instance with the same address, keeping
// Instances sorted.
func (s *State) SetInstance(inst *Instance) {
	i, found := s.find(inst.Address)
	if found {
		s.Instances[i] = inst
		return
	}
	s.Instances = slices.Insert(s.Instances, i, inst)
}

// RemoveInstance removes the instance at addr and reports whether there was one.
func (s *State) RemoveInstance(addr string) bool {
	i, found := s.find(addr)
	if found {
		s.Instances = slices.Delete(s.Instances, i, i+1)
	}
	return found
}

// DeepCopy returns a copy sharing nothing mutable with s (cty values are immutable).
// The copy's instances carry no generation: whoever receives it may change them.
func (s *State) DeepCopy() *State {
	return s.copyState(false)
}

// snapshot is DeepCopy keeping the instances' generations, for encoding the Manager's
// own state: nothing changes the snapshot before it is written.
func (s *State) snapshot() *State {
	return s.copyState(true)
}

func (s *State) copyState(keepGenerations bool) *State {
	if s == nil {
		return nil
	}
	c := *s
	c.Instances = make([]*Instance, len(s.Instances))
	for i, inst := range s.Instances {
		c.Instances[i] = inst.DeepCopy()
		if keepGenerations {
			c.Instances[i].gen = inst.gen
		}
	}
	c.Outputs = make(map[string]*Output, len(s.Outputs))
	for name, out := range s.Outputs {
		o := *out
		c.Outputs[name] = &o
	}
	return &c
}

// DeepCopy returns a copy of inst sharing nothing mutable with it. The copy has no
// generation, since its owner may change it.
func (inst *Instance) DeepCopy() *Instance {
	if inst == nil {
		return nil
	}
	c := *inst
	c.Private = slices.Clone(inst.Private)
	c.Dependencies = slices.Clone(inst.Dependencies)
	c.gen = 0
	return &c
}
