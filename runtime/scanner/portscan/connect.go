package portscan

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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
	order    []sentProbe     // in send order: the oldest probe times out first
	events   []syscall.EpollEvent
}

type probe struct {
	index int
	sent  time.Time
}

// sentProbe is an entry of the send order. Its descriptor may since have been closed and
// reused by a newer probe: the entry counts only while inFlight[fd] is still its port index.
type sentProbe struct {
	fd    int32
	index int
}

// sendBurst is the most connections opened between two looks at the answers. Answers are
// timed when the loop sees them: a loop that opened thousands of connections before looking
// would time its own work, inflating the round-trip time and with it every timeout.
const sendBurst = 64

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
		var more bool
		queue, more = l.send(ctx, queue)
		l.wait(more)
		l.expire()
	}
}

// send opens connections for queued ports while slots are free, at most sendBurst of them.
// With nothing in flight it may block for a slot (other hosts hold them); with probes in
// flight it must not. more reports that it stopped at the burst with slots still free.
func (l *connectLoop) send(ctx context.Context, queue []int) (rest []int, more bool) {
	for sent := 0; len(queue) > 0 && len(l.inFlight) < l.limit; sent++ {
		if sent == sendBurst {
			return queue, true
		}
		if len(l.inFlight) == 0 {
			if l.budget.acquire(ctx) != nil {
				return queue, false
			}
		} else if !l.budget.tryAcquire() {
			return queue, false
		}
		i := queue[0]
		result, fd, err := l.connect(l.ports[i])
		switch {
		case err != nil && isLocalResourceError(err):
			l.budget.release()
			if len(l.inFlight) == 0 {
				time.Sleep(10 * time.Millisecond) // nothing to wait for but the machine
			}
			return queue, false // retried after answers free descriptors
		case err != nil:
			l.budget.release() // unreachable network and such: no answer from the target
		case fd < 0:
			l.budget.release()
			l.answers[i] = result // answered at once (loopback)
		default:
			l.inFlight[int32(fd)] = probe{index: i, sent: time.Now()}
			l.order = append(l.order, sentProbe{fd: int32(fd), index: i})
		}
		queue = queue[1:]
	}
	return queue, false
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
	var sa syscall.Sockaddr
	if family == syscall.AF_INET {
		sa = &syscall.SockaddrInet4{Port: int(port), Addr: l.addr.As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(port), Addr: l.addr.As16()}
	}
	err = syscall.Connect(fd, sa)
	switch {
	case err == nil:
		closeConnected(fd)
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

// closeConnected closes an accepted connection with a reset, not a FIN: nobody is left in
// TIME_WAIT holding ports. Only connected sockets need it (closing an unanswered one sends
// nothing), which saves a system call on every filtered port.
func closeConnected(fd int) {
	_ = syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
	syscall.Close(fd)
}

// wait reads answers until none is ready. When more probes are ready to go (more) it only
// looks; otherwise it waits for the first answer at most until the oldest probe times out
// (and at most 50 ms: slots other hosts free up are noticed then).
func (l *connectLoop) wait(more bool) {
	if len(l.inFlight) == 0 {
		return
	}
	timeout := 0
	if _, oldest, ok := l.oldest(); ok && !more {
		timeout = min(max(int(time.Until(oldest.sent.Add(l.timeout())).Milliseconds()), 0), 50)
	}
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
			l.answered(ev.Fd, now)
		}
		if n < len(l.events) {
			return
		}
		timeout = 0 // more may be ready: drain before anything expires
	}
}

// timeout is how long a probe of this round waits for its answer: the host's adaptive
// timeout, doubled each retry round. It is read afresh each time, so probes sent before the
// first answer (with the cautious maximum) expire as soon as the host's real RTT is known.
func (l *connectLoop) timeout() time.Duration { return l.rtt.timeout() << l.round }

// answered reads the outcome of a finished connect and records it.
func (l *connectLoop) answered(fd int32, at time.Time) {
	pr, ok := l.inFlight[fd]
	if !ok {
		return
	}
	soErr, err := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	switch {
	case err != nil:
		l.finish(fd, unanswered, time.Time{})
	case soErr == 0:
		// The kernel timed the handshake itself, from SYN sent to SYN-ACK received: unlike
		// the loop's clock it does not count the time this process waited for a CPU.
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil && info.Rtt > 0 {
			at = pr.sent.Add(time.Duration(info.Rtt) * time.Microsecond)
		}
		l.finish(fd, answeredOpen, at)
	case syscall.Errno(soErr) == syscall.ECONNREFUSED:
		l.finish(fd, answeredClosed, at)
	default:
		l.finish(fd, unanswered, time.Time{}) // host or network unreachable: filtered
	}
}

// finish records a probe's answer (zero time: none) and frees its descriptor and slot.
// Closing the descriptor also takes it out of the epoll set: no EPOLL_CTL_DEL needed.
func (l *connectLoop) finish(fd int32, a answer, at time.Time) {
	pr, ok := l.inFlight[fd]
	if !ok {
		return
	}
	delete(l.inFlight, fd)
	if a == answeredOpen {
		closeConnected(int(fd))
	} else {
		syscall.Close(int(fd))
	}
	l.budget.release()
	if a != unanswered {
		l.answers[pr.index] = a
		l.rtt.observe(at.Sub(pr.sent))
	}
}

// oldest is the probe in flight longest, dropping the send-order entries of answered ones.
func (l *connectLoop) oldest() (int32, probe, bool) {
	for len(l.order) > 0 {
		head := l.order[0]
		if pr, ok := l.inFlight[head.fd]; ok && pr.index == head.index {
			return head.fd, pr, true
		}
		l.order = l.order[1:]
	}
	return 0, probe{}, false
}

// expire gives up on the probes whose time is up, oldest first.
func (l *connectLoop) expire() {
	now := time.Now()
	timeout := l.timeout()
	for {
		fd, pr, ok := l.oldest()
		if !ok || now.Sub(pr.sent) < timeout {
			return
		}
		l.finish(fd, unanswered, time.Time{})
	}
}

// isLocalResourceError reports errors that come from this machine running short, not from the target.
func isLocalResourceError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ENOMEM)
}
