package portscan

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// Prober scans the ports of one host. ConnectProber and SYNProber implement it.
type Prober interface {
	ScanHost(ctx context.Context, addr netip.Addr, opts Options) HostResult
	// Mode is "connect" or "syn".
	Mode() string
}

// ConnectProber scans with ordinary TCP connections: no privileges needed. An accepted
// connection is an open port, a reset a closed one, silence until the timeout a filtered one.
//
// It drives non-blocking sockets with epoll itself rather than calling net.Dial per port:
// one event loop per host costs a few system calls per probe where a goroutine and a Dial
// cost ten times the CPU, and the loop reads every answer that has arrived before it
// declares anything timed out, so a busy machine delays answers but never loses them.
type ConnectProber struct {
	Budget *Budget
}

// Mode names the probing technique.
func (p *ConnectProber) Mode() string { return "connect" }

type answer uint8

const (
	unanswered answer = iota
	answeredOpen
	answeredClosed
)

// ScanHost probes every port of opts on addr in rounds: a round probes the ports still
// unanswered, the next one retries those that stayed silent with twice the timeout.
func (p *ConnectProber) ScanHost(ctx context.Context, addr netip.Addr, opts Options) HostResult {
	opts = opts.withDefaults()
	start := time.Now()
	rtt := newRTTEstimator(opts.MinTimeout, opts.MaxTimeout)
	if opts.InitialRTT > 0 {
		rtt.observe(opts.InitialRTT)
	}
	res := HostResult{Addr: addr}
	answers := make([]answer, len(opts.Ports))
	pending := make([]int, len(opts.Ports))
	for i := range pending {
		pending[i] = i
	}
	limit := p.Budget.InFlight()
	if opts.PerHost > 0 {
		limit = min(limit, opts.PerHost)
	}
	for round := 0; round <= opts.Retries && len(pending) > 0 && ctx.Err() == nil; round++ {
		loop, err := newConnectLoop(addr, opts.Ports, answers, rtt, p.Budget, limit, round)
		if err != nil {
			break // no epoll: nothing can be probed; the ports stay unanswered (filtered)
		}
		loop.run(ctx, pending)
		loop.close()
		res.Probes += len(pending)
		pending = slices.DeleteFunc(pending, func(i int) bool { return answers[i] != unanswered })
	}
	for i, port := range opts.Ports {
		switch answers[i] {
		case answeredOpen:
			res.Open = append(res.Open, port)
		case answeredClosed:
			res.Closed++
		}
	}
	slices.Sort(res.Open)
	res.Filtered = len(pending)
	res.SRTT = rtt.smoothed()
	res.Duration = time.Since(start)
	return res
}

// connectLoop is one round of connect probes to one host.
type connectLoop struct {
	addr    netip.Addr
	ports   []uint16
	answers []answer
	rtt     *rttEstimator
	budget  *Budget
	limit   int
	round   int

	epfd     int
	inFlight map[int32]probe // by file descriptor
	order    []int32         // file descriptors in send order: deadlines come in this order
	events   []syscall.EpollEvent
}

type probe struct {
	index    int
	sent     time.Time
	deadline time.Time
}

func newConnectLoop(addr netip.Addr, ports []uint16, answers []answer, rtt *rttEstimator, budget *Budget, limit, round int) (*connectLoop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &connectLoop{
		addr: addr, ports: ports, answers: answers, rtt: rtt, budget: budget, limit: limit, round: round,
		epfd: epfd, inFlight: map[int32]probe{}, events: make([]syscall.EpollEvent, 256),
	}, nil
}

func (l *connectLoop) close() {
	for fd := range l.inFlight {
		l.finish(fd, unanswered, time.Time{})
	}
	syscall.Close(l.epfd)
}

// run sends the queued probes as budget and limit allow, reads answers and expires
// silent probes, until every probe of the round is answered or expired.
func (l *connectLoop) run(ctx context.Context, queue []int) {
	for (len(queue) > 0 || len(l.inFlight) > 0) && ctx.Err() == nil {
		queue = l.send(ctx, queue)
		l.wait()
		l.expire()
	}
}

// send opens connections for queued ports while slots are free. With nothing in flight it
// may block for a slot (other hosts hold them); with probes in flight it must not.
func (l *connectLoop) send(ctx context.Context, queue []int) []int {
	for len(queue) > 0 && len(l.inFlight) < l.limit {
		if len(l.inFlight) == 0 {
			if l.budget.acquire(ctx) != nil {
				return queue
			}
		} else if !l.budget.tryAcquire() {
			return queue
		}
		i := queue[0]
		result, fd, err := l.connect(l.ports[i])
		switch {
		case err != nil && isLocalResourceError(err):
			l.budget.release()
			if len(l.inFlight) == 0 {
				time.Sleep(10 * time.Millisecond) // nothing to wait for but the machine
			}
			return queue // retried after answers free descriptors
		case err != nil:
			l.budget.release() // unreachable network and such: no answer from the target
		case fd < 0:
			l.budget.release()
			l.answers[i] = result // answered at once (loopback)
		default:
			now := time.Now()
			l.inFlight[int32(fd)] = probe{index: i, sent: now, deadline: now.Add(l.rtt.timeout() << l.round)}
			l.order = append(l.order, int32(fd))
		}
		queue = queue[1:]
	}
	return queue
}

// connect starts a non-blocking connection to port. It returns a descriptor to wait on, or
// fd -1 with the answer when the kernel knew it at once.
func (l *connectLoop) connect(port uint16) (answer, int, error) {
	family := syscall.AF_INET
	if l.addr.Is6() {
		family = syscall.AF_INET6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return unanswered, -1, err
	}
	// Close sends a reset, not a FIN: nobody is left in TIME_WAIT holding ports.
	_ = syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
	var sa syscall.Sockaddr
	if family == syscall.AF_INET {
		sa = &syscall.SockaddrInet4{Port: int(port), Addr: l.addr.As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(port), Addr: l.addr.As16()}
	}
	err = syscall.Connect(fd, sa)
	switch {
	case err == nil:
		syscall.Close(fd)
		return answeredOpen, -1, nil
	case errors.Is(err, syscall.ECONNREFUSED):
		syscall.Close(fd)
		return answeredClosed, -1, nil
	case !errors.Is(err, syscall.EINPROGRESS):
		syscall.Close(fd)
		return unanswered, -1, err
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLOUT | syscall.EPOLLERR | syscall.EPOLLHUP, Fd: int32(fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return unanswered, -1, err
	}
	return unanswered, fd, nil
}

// wait reads answers until none is ready, waiting at most until the oldest deadline for the
// first one (or 1 ms when more probes wait for a slot).
func (l *connectLoop) wait() {
	if len(l.inFlight) == 0 {
		return
	}
	timeout := 1
	if len(l.order) > 0 {
		if head, ok := l.inFlight[l.order[0]]; ok {
			timeout = max(int(time.Until(head.deadline).Milliseconds()), 0)
		}
	}
	timeout = min(timeout, 50) // come back to send more as slots free up
	for {
		n, err := syscall.EpollWait(l.epfd, l.events, timeout)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		now := time.Now()
		for _, ev := range l.events[:n] {
			l.finish(ev.Fd, l.result(int(ev.Fd)), now)
		}
		if n < len(l.events) {
			return
		}
		timeout = 0 // more may be ready: drain before anything expires
	}
}

// result reads the outcome of a finished connect.
func (l *connectLoop) result(fd int) answer {
	soErr, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
	switch {
	case err != nil:
		return unanswered
	case soErr == 0:
		return answeredOpen
	case syscall.Errno(soErr) == syscall.ECONNREFUSED:
		return answeredClosed
	}
	return unanswered // host or network unreachable: filtered
}

// finish records a probe's answer (zero time: none) and frees its descriptor and slot.
func (l *connectLoop) finish(fd int32, a answer, at time.Time) {
	pr, ok := l.inFlight[fd]
	if !ok {
		return
	}
	delete(l.inFlight, fd)
	syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	syscall.Close(int(fd))
	l.budget.release()
	if a != unanswered {
		l.answers[pr.index] = a
		l.rtt.observe(at.Sub(pr.sent))
	}
}

// expire gives up on the probes whose deadline passed, oldest first.
func (l *connectLoop) expire() {
	now := time.Now()
	for len(l.order) > 0 {
		fd := l.order[0]
		pr, ok := l.inFlight[fd]
		if ok && pr.deadline.After(now) {
			return
		}
		l.order = l.order[1:]
		if ok {
			l.finish(fd, unanswered, time.Time{})
		}
	}
}

// isLocalResourceError reports errors that come from this machine running short, not from the target.
func isLocalResourceError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ENOMEM)
}
