package cache

import "net/http"

// Flight is one origin fetch in progress that other clients wait on (collapsed
// forwarding). It lands as soon as the response headers arrive: from then on the object
// is in the store (if storable) and its body streams to everyone.
type Flight struct {
	landed    chan struct{}
	reqHeader http.Header
	obj       *Object // the response; nil when the fetch failed
	shared    bool    // whether obj may be given to the joiners
}

// Join returns the flight in progress for key, or starts one that the caller (the leader)
// must fetch and Land. Joiners Wait.
func (s *Store) Join(key string, reqHeader http.Header) (f *Flight, leader bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.flights[key]; ok {
		return f, false
	}
	f = &Flight{landed: make(chan struct{}), reqHeader: reqHeader}
	s.flights[key] = f
	return f, true
}

// Land publishes the leader's result: obj (nil on failure) and whether joiners may share
// it (a storable response). The flight is gone from then on.
func (s *Store) Land(key string, f *Flight, obj *Object, shared bool) {
	s.mu.Lock()
	if s.flights[key] == f {
		delete(s.flights, key)
	}
	s.mu.Unlock()
	f.obj, f.shared = obj, shared
	close(f.landed)
}

// Wait blocks until the flight lands (or done closes) and returns the object a joiner
// with reqHeader may use: nil when it must fetch by itself (the fetch failed, the
// response is not shareable or varies by a header the joiner sent differently).
func (f *Flight) Wait(done <-chan struct{}, reqHeader http.Header) *Object {
	select {
	case <-f.landed:
	case <-done:
		return nil
	}
	if f.obj == nil || !f.shared || !f.obj.MatchesVary(reqHeader) {
		return nil
	}
	return f.obj
}
