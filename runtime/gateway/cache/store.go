package cache

import (
	"container/list"
	"net/http"
	"sync"
)

// Store holds objects in memory up to a byte capacity, evicting the least recently used.
// Objects enter while their body is still arriving (so later clients stream it) and are
// charged to the capacity when it is complete.
type Store struct {
	mu        sync.Mutex
	capacity  int64
	maxObject int64
	used      int64
	variants  map[string][]*Object // by key: one per Vary combination
	lru       *list.List           // of *Object with complete bodies; front = most recent
	flights   map[string]*Flight
}

// NewStore returns an empty store of capacity bytes keeping objects up to maxObject bytes.
func NewStore(capacity, maxObject int64) *Store {
	return &Store{capacity: capacity, maxObject: min(maxObject, capacity), variants: map[string][]*Object{}, lru: list.New(), flights: map[string]*Flight{}}
}

// Resize changes the limits, evicting at once when the store shrank.
func (s *Store) Resize(capacity, maxObject int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capacity, s.maxObject = capacity, min(maxObject, capacity)
	s.evictLocked()
}

// MaxObject is the largest body kept.
func (s *Store) MaxObject() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxObject
}

// Lookup returns the object stored for key that may answer a request with reqHeader, or nil.
func (s *Store) Lookup(key string, reqHeader http.Header) *Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.variants[key] {
		if o.MatchesVary(reqHeader) {
			if o.el != nil {
				s.lru.MoveToFront(o.el)
			}
			return o
		}
	}
	return nil
}

// Insert stores o, replacing the variant with the same Vary values. A complete body is
// charged at once; an arriving one when Complete is called.
func (s *Store) Insert(o *Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.variants[o.Key] {
		if sameVariant(old, o) {
			s.dropLocked(old)
			break
		}
	}
	s.variants[o.Key] = append(s.variants[o.Key], o)
	if size, ok := o.Body.Complete(); ok {
		s.chargeLocked(o, size)
	}
}

// Complete charges o's finished body to the store, or removes o when the fetch failed or
// the body is over the object size limit.
func (s *Store) Complete(o *Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holdsLocked(o) || o.el != nil {
		return
	}
	size, ok := o.Body.Complete()
	if !ok || size > s.maxObject {
		s.dropLocked(o)
		return
	}
	s.chargeLocked(o, size)
}

// Remove drops o if it is still stored.
func (s *Store) Remove(o *Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holdsLocked(o) {
		s.dropLocked(o)
	}
}

// Usage returns the number of objects and bytes held, and the capacity.
func (s *Store) Usage() (objects int, used, capacity int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, vs := range s.variants {
		n += len(vs)
	}
	return n, s.used, s.capacity
}

func (s *Store) chargeLocked(o *Object, size int64) {
	if size > s.maxObject {
		s.dropLocked(o)
		return
	}
	o.size = size + headerCost(o.Header)
	o.el = s.lru.PushFront(o)
	s.used += o.size
	s.evictLocked()
}

func (s *Store) evictLocked() {
	for s.used > s.capacity && s.lru.Len() > 0 {
		s.dropLocked(s.lru.Back().Value.(*Object))
	}
}

func (s *Store) holdsLocked(o *Object) bool {
	for _, v := range s.variants[o.Key] {
		if v == o {
			return true
		}
	}
	return false
}

func (s *Store) dropLocked(o *Object) {
	vs := s.variants[o.Key]
	for i, v := range vs {
		if v == o {
			vs = append(vs[:i:i], vs[i+1:]...)
			break
		}
	}
	if len(vs) == 0 {
		delete(s.variants, o.Key)
	} else {
		s.variants[o.Key] = vs
	}
	if o.el != nil {
		s.lru.Remove(o.el)
		o.el = nil
		s.used -= o.size
	}
}

func sameVariant(a, b *Object) bool {
	if len(a.Vary) != len(b.Vary) {
		return false
	}
	for i := range a.Vary {
		if a.Vary[i] != b.Vary[i] || a.VaryValues[i] != b.VaryValues[i] {
			return false
		}
	}
	return true
}

// headerCost approximates the memory of a header so that many small objects count too.
func headerCost(h http.Header) int64 {
	n := int64(256)
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 32)
		}
	}
	return n
}
