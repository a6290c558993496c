package portscan

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// SYNProber scans with half-open connections through a raw socket (CAP_NET_RAW): it sends
// a SYN and reads the answer, SYN-ACK (open) or RST (closed), without completing the
// handshake; the kernel, which knows no such connection, resets it. No socket per probe, so
// the in-flight budget costs only a few bytes per probe.
type SYNProber struct {
	Budget *Budget

	conn    *net.IPConn
	srcPort uint16
	seed    maphash.Seed
	hosts   sync.Map // netip.Addr → *synHost
	done    chan struct{}
}

// OpenSYN opens the raw socket and starts reading replies. It fails without CAP_NET_RAW;
// callers fall back to connect scanning (see CanRawSocket).
func OpenSYN(budget *Budget) (*SYNProber, error) {
	conn, err := net.ListenIP("ip4:tcp", &net.IPAddr{IP: net.IPv4zero})
	if err != nil {
		return nil, fmt.Errorf("open raw TCP socket for SYN scanning (needs CAP_NET_RAW): %w", err)
	}
	p := &SYNProber{
		Budget:  budget,
		conn:    conn,
		srcPort: uint16(40000 + rand.IntN(20000)),
		seed:    maphash.MakeSeed(),
		done:    make(chan struct{}),
	}
	if err := tuneSYNSocket(conn, p.srcPort); err != nil {
		conn.Close()
		return nil, fmt.Errorf("prepare raw TCP socket: %w", err)
	}
	go p.readReplies()
	return p, nil
}

// Mode names the probing technique.
func (p *SYNProber) Mode() string { return "syn" }

// Close stops reading replies and closes the raw socket.
func (p *SYNProber) Close() error {
	err := p.conn.Close()
	<-p.done
	return err
}

// synHost is the state of one host under scan: one slot per port of the round.
type synHost struct {
	addr, src netip.Addr
	ports     []uint16        // sorted: replies find their slot by binary search
	states    []atomic.Uint32 // probeState
	sentAt    []atomic.Int64  // unix nanoseconds
	rtt       *rttEstimator
	slot      chan struct{} // per-host in-flight cap
	budget    *Budget
}

const (
	stateIdle uint32 = iota
	stateWaiting
	stateOpen
	stateClosed
	stateSilent
)

// ScanHost probes every port of opts on addr (IPv4 only) in rounds, like ConnectProber.
func (p *SYNProber) ScanHost(ctx context.Context, addr netip.Addr, opts Options) HostResult {
	opts = opts.withDefaults()
	start := time.Now()
	res := HostResult{Addr: addr}
	src, err := sourceAddrFor(addr)
	if err != nil || !addr.Is4() {
		// No route, or IPv6: the connect prober handles what the raw IPv4 socket cannot.
		fallback := &ConnectProber{Budget: p.Budget}
		return fallback.ScanHost(ctx, addr, opts)
	}
	ports := slices.Clone(opts.Ports)
	slices.Sort(ports)
	perHost := opts.PerHost
	if perHost <= 0 {
		perHost = p.Budget.InFlight()
	}
	h := &synHost{
		addr: addr, src: src, ports: ports,
		states: make([]atomic.Uint32, len(ports)),
		sentAt: make([]atomic.Int64, len(ports)),
		rtt:    newRTTEstimator(opts.MinTimeout, opts.MaxTimeout),
		slot:   make(chan struct{}, perHost),
		budget: p.Budget,
	}
	if opts.InitialRTT > 0 {
		h.rtt.observe(opts.InitialRTT)
	}
	p.hosts.Store(addr, h)
	defer p.hosts.Delete(addr)

	pending := make([]int, len(ports)) // indexes into ports
	for i := range pending {
		pending[i] = i
	}
	for round := 0; round <= opts.Retries && len(pending) > 0 && ctx.Err() == nil; round++ {
		p.round(ctx, h, pending, round)
		res.Probes += len(pending)
		pending = pending[:0:0]
		for i := range ports {
			if h.states[i].Load() == stateSilent || h.states[i].Load() == stateIdle {
				h.states[i].Store(stateIdle)
				pending = append(pending, i)
			}
		}
	}
	for i, port := range ports {
		switch h.states[i].Load() {
		case stateOpen:
			res.Open = append(res.Open, port)
		case stateClosed:
			res.Closed++
		}
	}
	res.Filtered = len(pending)
	res.SRTT = h.rtt.smoothed()
	res.Duration = time.Since(start)
	return res
}

// round sends one SYN per pending port and waits until each is answered or timed out.
// A reaper walks the sent probes in order and frees the in-flight slot of those still
// unanswered at their deadline; a reply frees it at once.
func (p *SYNProber) round(ctx context.Context, h *synHost, pending []int, round int) {
	sentOrder := make(chan int, len(pending))
	reaped := make(chan struct{})
	go func() {
		defer close(reaped)
		for i := range sentOrder {
			deadline := time.Unix(0, h.sentAt[i].Load()).Add(h.rtt.timeout() << round)
			if wait := time.Until(deadline); wait > 0 {
				timer := time.NewTimer(wait)
				select {
				case <-timer.C:
				case <-ctx.Done():
					timer.Stop()
				}
			}
			if h.states[i].CompareAndSwap(stateWaiting, stateSilent) {
				h.free()
			}
		}
	}()
	var buf [synSegmentLen]byte
	dst := &net.IPAddr{IP: h.addr.AsSlice()}
	for _, i := range pending {
		if !h.take(ctx) {
			break
		}
		seg := buildSYN(buf[:], h.src, h.addr, p.srcPort, h.ports[i], p.cookie(h.addr, h.ports[i]))
		h.sentAt[i].Store(time.Now().UnixNano())
		h.states[i].Store(stateWaiting)
		if err := p.send(ctx, seg, dst); err != nil {
			// Still failing after retries (or cancelled): the port stays unanswered and the
			// next round retries it; free its slot now.
			if h.states[i].CompareAndSwap(stateWaiting, stateIdle) {
				h.free()
			}
			continue
		}
		sentOrder <- i
	}
	close(sentOrder)
	<-reaped
}

// take reserves a per-host and a global in-flight slot; free returns both.
func (h *synHost) take(ctx context.Context) bool {
	select {
	case h.slot <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if err := h.budget.acquire(ctx); err != nil {
		<-h.slot
		return false
	}
	return true
}

func (h *synHost) free() {
	h.budget.release()
	<-h.slot
}

// cookie is the sequence number of the SYN to addr:port: a keyed hash, so that a reply is
// accepted only when it acknowledges a SYN this scanner sent (ack = cookie + 1).
func (p *SYNProber) cookie(addr netip.Addr, port uint16) uint32 {
	var b [18]byte
	a := addr.As16()
	copy(b[:], a[:])
	binary.BigEndian.PutUint16(b[16:], port)
	return uint32(maphash.Bytes(p.seed, b[:]))
}

// readReplies reads every TCP segment the host receives and records those answering a probe.
func (p *SYNProber) readReplies() {
	defer close(p.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := p.conn.ReadFromIP(buf)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return // closed
		}
		addr, ok := netip.AddrFromSlice(from.IP)
		if !ok {
			continue
		}
		p.handleReply(addr.Unmap(), buf[:n], time.Now())
	}
}

func (p *SYNProber) handleReply(from netip.Addr, segment []byte, now time.Time) {
	reply, err := parseTCPReply(segment)
	if err != nil || reply.DstPort != p.srcPort {
		return
	}
	v, ok := p.hosts.Load(from)
	if !ok {
		return
	}
	h := v.(*synHost)
	i, found := slices.BinarySearch(h.ports, reply.SrcPort)
	if !found || reply.Ack != p.cookie(from, reply.SrcPort)+1 {
		return
	}
	var state uint32
	switch {
	case reply.Flags&(flagSYN|flagACK) == flagSYN|flagACK:
		state = stateOpen
	case reply.Flags&flagRST != 0:
		state = stateClosed
	default:
		return
	}
	// A late answer (after the timeout, state silent) still counts: the port is known.
	if h.states[i].CompareAndSwap(stateWaiting, state) {
		h.rtt.observe(now.Sub(time.Unix(0, h.sentAt[i].Load())))
		h.free()
		return
	}
	h.states[i].CompareAndSwap(stateSilent, state)
}

// sourceAddrFor is the local address the kernel would use to reach dst (a UDP "connect"
// sends nothing; it only picks the route).
func sourceAddrFor(dst netip.Addr) (netip.Addr, error) {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("no route to %s: %w", dst, err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// send writes one SYN. A full transmit queue (ENOBUFS) is this machine being busy, not an
// answer from the target: the write is retried after a short pause, a bounded number of times.
func (p *SYNProber) send(ctx context.Context, seg []byte, dst *net.IPAddr) error {
	var err error
	for attempt := range 50 {
		if _, err = p.conn.WriteTo(seg, dst); err == nil {
			return nil
		}
		select {
		case <-time.After(time.Millisecond << min(attempt, 4)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}
