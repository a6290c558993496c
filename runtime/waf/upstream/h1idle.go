package upstream

import (
	"sync"
	"time"
)

// h1Idle holds a member's idle keep-alive connections, most recently used last: a request
// takes the warmest one, and the ones left cold at the front expire first. Connections idle
// longer than idleTimeout are closed by a sweep that runs only while there are idle
// connections, and are never handed out.
type h1Idle struct {
	maxIdle     int
	idleTimeout time.Duration

	mu       sync.Mutex
	conns    []*h1Conn
	sweeping bool // a sweep is scheduled
}

// get returns the most recently used idle connection that is still open, or nil.
func (p *h1Idle) get() *h1Conn {
	now := time.Now()
	for {
		p.mu.Lock()
		n := len(p.conns)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.conns[n-1]
		p.conns[n-1] = nil
		p.conns = p.conns[:n-1]
		p.mu.Unlock()
		if now.Sub(c.idleSince) < p.idleTimeout && c.alive() {
			return c
		}
		c.close()
	}
}

// put returns a connection after a complete exchange; it is closed when the pool is full.
func (p *h1Idle) put(c *h1Conn) {
	c.idleSince = time.Now()
	c.reused = true
	p.mu.Lock()
	if len(p.conns) >= p.maxIdle {
		p.mu.Unlock()
		c.close()
		return
	}
	p.conns = append(p.conns, c)
	if !p.sweeping {
		p.sweeping = true
		time.AfterFunc(p.idleTimeout, p.sweep)
	}
	p.mu.Unlock()
}

// sweep closes the connections idle for idleTimeout and schedules itself again while some
// remain.
func (p *h1Idle) sweep() {
	now := time.Now()
	p.mu.Lock()
	expired := 0
	for expired < len(p.conns) && now.Sub(p.conns[expired].idleSince) >= p.idleTimeout {
		expired++
	}
	closing := append([]*h1Conn(nil), p.conns[:expired]...)
	kept := copy(p.conns, p.conns[expired:])
	clear(p.conns[kept:]) // no closed connection stays reachable
	p.conns = p.conns[:kept]
	if len(p.conns) > 0 {
		time.AfterFunc(p.idleTimeout-now.Sub(p.conns[0].idleSince), p.sweep)
	} else {
		p.sweeping = false
	}
	p.mu.Unlock()
	for _, c := range closing {
		c.close()
	}
}

// closeIdle closes every idle connection (a drained member); connections in use are put
// back later and closed by the next closeIdle or sweep.
func (p *h1Idle) closeIdle() {
	p.mu.Lock()
	closing := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range closing {
		c.close()
	}
}

// idleCount is the number of idle connections, for tests.
func (p *h1Idle) idleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}
