package upstream

import "sync"

// proxyBufferSize is the size of the buffers the proxies copy response bodies through,
// what httputil.ReverseProxy would allocate per request without a pool.
const proxyBufferSize = 32 << 10

// proxyBuffers lends copy buffers to every member's proxy. Without it each proxied
// request allocates (and zeroes) 32 KiB, most of the proxy's garbage.
var proxyBuffers bufferPool

// bufferPool implements httputil.BufferPool. It pools array pointers, which an interface
// holds without allocating, unlike a []byte.
type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte {
	if b, ok := p.pool.Get().(*[proxyBufferSize]byte); ok {
		return b[:]
	}
	return new([proxyBufferSize]byte)[:]
}

func (p *bufferPool) Put(b []byte) {
	if cap(b) < proxyBufferSize {
		return // not one of ours
	}
	p.pool.Put((*[proxyBufferSize]byte)(b[:proxyBufferSize]))
}
