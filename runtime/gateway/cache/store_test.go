package cache

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"
)

func object(key string, reqHeader, respHeader http.Header, body []byte) *Object {
	return NewObject(key, reqHeader, 200, respHeader, BodyOf(body), time.Now(), time.Hour)
}

// TestStoreEvictsLeastRecentlyUsedByBytes: the capacity is bytes, and a lookup makes an
// object recent.
func TestStoreEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	s := NewStore(3*1100, 1<<20)
	for _, k := range []string{"a", "b", "c"} {
		s.Insert(object(k, http.Header{}, http.Header{}, make([]byte, 700)))
	}
	if s.Lookup("a", http.Header{}) == nil {
		t.Fatal("a missing before any eviction")
	}
	s.Insert(object("d", http.Header{}, http.Header{}, make([]byte, 700)))
	if s.Lookup("b", http.Header{}) != nil {
		t.Error("b (least recently used) was kept")
	}
	for _, k := range []string{"a", "c", "d"} {
		if s.Lookup(k, http.Header{}) == nil {
			t.Errorf("%s was evicted", k)
		}
	}
	if objects, used, capacity := s.Usage(); objects != 3 || used > capacity {
		t.Errorf("usage: %d objects, %d of %d bytes", objects, used, capacity)
	}
	s.Insert(object("huge", http.Header{}, http.Header{}, make([]byte, 4000)))
	if s.Lookup("huge", http.Header{}) != nil {
		t.Error("an object larger than the store was kept")
	}
}

// TestVaryVariants: variants by Accept-Encoding live side by side and only match their own.
func TestVaryVariants(t *testing.T) {
	s := NewStore(1<<20, 1<<20)
	vary := http.Header{"Vary": {"accept-encoding"}}
	gz := http.Header{"Accept-Encoding": {"gzip, br"}}
	s.Insert(object("u", gz, vary, []byte("gzipped")))
	s.Insert(object("u", http.Header{}, vary, []byte("plain")))
	tests := []struct {
		req  http.Header
		want string
	}{
		{http.Header{"Accept-Encoding": {"GZIP,br"}}, "gzipped"},
		{http.Header{}, "plain"},
		{http.Header{"Accept-Encoding": {"gzip"}}, ""}, // a different value: no match
		{http.Header{"Accept-Encoding": {""}}, ""},     // empty is not absent
	}
	for _, tt := range tests {
		o := s.Lookup("u", tt.req)
		got := ""
		if o != nil {
			b, _ := io.ReadAll(o.Body.Reader())
			got = string(b)
		}
		if got != tt.want {
			t.Errorf("Lookup with %v = %q, want %q", tt.req, got, tt.want)
		}
	}
}

// TestBodyStreamsWhileArriving: a reader gets the bytes written so far before the end.
func TestBodyStreamsWhileArriving(t *testing.T) {
	b := NewBody()
	_, _ = b.Write(bytes.Repeat([]byte("a"), 100_000))
	r := b.Reader()
	got := make([]byte, 100_000)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("reading what has arrived: %v", err)
	}
	rest := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); rest <- b }()
	_, _ = b.Write([]byte("tail"))
	b.Finish(nil)
	if tail := <-rest; string(tail) != "tail" {
		t.Errorf("rest = %q, want tail", tail)
	}
	failed := NewBody()
	_, _ = failed.Write([]byte("part"))
	failed.Finish(io.ErrUnexpectedEOF)
	if _, err := io.ReadAll(failed.Reader()); err != ErrIncomplete {
		t.Errorf("reading a failed body: %v, want ErrIncomplete", err)
	}
}

// TestFlightCollapses: joiners get the leader's object; a private answer is not shared.
func TestFlightCollapses(t *testing.T) {
	s := NewStore(1<<20, 1<<20)
	f, leader := s.Join("k", http.Header{})
	if !leader {
		t.Fatal("first Join is not the leader")
	}
	f2, leader2 := s.Join("k", http.Header{})
	if leader2 || f2 != f {
		t.Fatal("second Join did not join the flight")
	}
	o := object("k", http.Header{}, http.Header{}, []byte("x"))
	s.Land("k", f, o, true)
	if got := f2.Wait(nil, http.Header{}); got != o {
		t.Error("joiner did not get the leader's object")
	}
	f3, _ := s.Join("k", http.Header{})
	s.Land("k", f3, o, false)
	if got := f3.Wait(nil, http.Header{}); got != nil {
		t.Error("joiner got an object that may not be shared")
	}
}
