package cache

import (
	"errors"
	"io"
	"sync"
)

// chunkSize is the unit a body grows by: large enough for few allocations, small enough
// that a late joiner gets the first bytes as soon as they arrive.
const chunkSize = 64 << 10

// ErrIncomplete is what readers get when the origin fetch failed part way.
var ErrIncomplete = errors.New("the origin response ended before its end (upstream failed); the object was not cached")

// Body is a response body being filled by one origin fetch and read by any number of
// clients at the same time: readers block only for bytes that have not arrived yet.
// Written bytes never change, so readers copy from chunks without holding the lock.
type Body struct {
	mu      sync.Mutex
	arrived *sync.Cond
	chunks  [][]byte
	size    int64
	done    bool
	err     error
}

// NewBody returns an empty body being filled.
func NewBody() *Body {
	b := &Body{}
	b.arrived = sync.NewCond(&b.mu)
	return b
}

// BodyOf returns a complete body holding data (tests and revalidated copies).
func BodyOf(data []byte) *Body {
	b := NewBody()
	_, _ = b.Write(data)
	b.Finish(nil)
	return b
}

// Write appends p. Only the fetch that fills the body calls it.
func (b *Body) Write(p []byte) (int, error) {
	n := len(p)
	b.mu.Lock()
	for len(p) > 0 {
		last := len(b.chunks) - 1
		if last < 0 || len(b.chunks[last]) == chunkSize {
			b.chunks = append(b.chunks, make([]byte, 0, chunkSize))
			last++
		}
		c := b.chunks[last]
		k := copy(c[len(c):chunkSize], p)
		b.chunks[last] = c[:len(c)+k]
		p = p[k:]
	}
	b.size += int64(n)
	b.mu.Unlock()
	b.arrived.Broadcast()
	return n, nil
}

// ReadFrom fills the body from r until EOF, in chunk-sized writes.
func (b *Body) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, 32<<10)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			_, _ = b.Write(buf[:n])
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Finish marks the body complete (err nil) or failed.
func (b *Body) Finish(err error) {
	b.mu.Lock()
	b.done = true
	if err != nil {
		b.err = ErrIncomplete
	}
	b.mu.Unlock()
	b.arrived.Broadcast()
}

// Complete says whether the whole body has arrived without error, and its size.
func (b *Body) Complete() (size int64, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size, b.done && b.err == nil
}

// Failed says whether the fetch filling the body failed.
func (b *Body) Failed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err != nil
}

// Size is the number of bytes arrived so far.
func (b *Body) Size() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size
}

// wait blocks until byte off has arrived or the body ended; it returns the chunk holding
// off (nil at the end) and the end error.
func (b *Body) wait(off int64) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for off >= b.size && !b.done {
		b.arrived.Wait()
	}
	if off < b.size {
		c := b.chunks[off/chunkSize]
		return c[off%chunkSize:], nil
	}
	if b.err != nil {
		return nil, b.err
	}
	return nil, io.EOF
}

// ReadAt reads len(p) bytes at off, waiting for them to arrive.
func (b *Body) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		c, err := b.wait(off + int64(n))
		if err != nil {
			return n, err
		}
		n += copy(p[n:], c)
	}
	return n, nil
}

// WriteTo copies the whole body to w as it arrives.
func (b *Body) WriteTo(w io.Writer) (int64, error) {
	var off int64
	for {
		c, err := b.wait(off)
		if err == io.EOF {
			return off, nil
		}
		if err != nil {
			return off, err
		}
		n, werr := w.Write(c)
		off += int64(n)
		if werr != nil {
			return off, werr
		}
	}
}

// Reader returns a reader from the start of the body.
func (b *Body) Reader() io.Reader { return &bodyReader{b: b} }

type bodyReader struct {
	b   *Body
	off int64
}

func (r *bodyReader) Read(p []byte) (int, error) {
	c, err := r.b.wait(r.off)
	if err != nil {
		return 0, err
	}
	n := copy(p, c)
	r.off += int64(n)
	return n, nil
}

func (r *bodyReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		c, err := r.b.wait(r.off)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		n, werr := w.Write(c)
		r.off += int64(n)
		total += int64(n)
		if werr != nil {
			return total, werr
		}
	}
}
