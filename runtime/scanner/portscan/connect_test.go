package portscan

import (
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// openSocket is a real descriptor for a probe the test pretends is in flight; the loop
// closes it (when the probe finishes, or at the loop's close).
func openSocket(t *testing.T) int32 {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return int32(fd)
}

func newTestLoop(t *testing.T, rtt *rttEstimator) *connectLoop {
	t.Helper()
	l, err := newConnectLoop(netip.MustParseAddr("127.0.0.1"), make([]uint16, 4), make([]answer, 4), rtt, NewBudget(8, 0), 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.close)
	return l
}

// inFlightNow registers fd as the probe of port index i, sent ago, holding a budget slot.
func (l *connectLoop) inFlightNow(fd int32, i int, ago time.Duration) {
	l.budget.tryAcquire()
	l.inFlight[fd] = probe{index: i, sent: time.Now().Add(-ago)}
	l.order = append(l.order, sentProbe{fd: fd, index: i})
}

// Probes sent before the first answer wait with the cautious maximum timeout; once answers
// show the host is near, they must expire by the new, short timeout, not hold their slots
// for the rest of the maximum (on a filtered host that was a second per in-flight batch).
func TestExpireFollowsTheCurrentTimeout(t *testing.T) {
	rtt := newRTTEstimator(50*time.Millisecond, 10*time.Second)
	l := newTestLoop(t, rtt)
	fd := openSocket(t)
	l.inFlightNow(fd, 0, 500*time.Millisecond)

	l.expire()
	if _, ok := l.inFlight[fd]; !ok {
		t.Fatal("probe expired after 500ms while the timeout is still the 10s maximum")
	}
	for range 8 {
		rtt.observe(100 * time.Microsecond)
	}
	l.expire()
	if _, ok := l.inFlight[fd]; ok {
		t.Fatalf("probe sent 500ms ago still in flight with a %v timeout", l.timeout())
	}
	if l.answers[0] != unanswered {
		t.Errorf("expired probe recorded as %v, want unanswered", l.answers[0])
	}
}

// A descriptor closed after its answer is reused by a newer probe: the old send-order entry
// must not make expire wait for the newer probe while older ones are overdue.
func TestExpireSkipsReusedDescriptors(t *testing.T) {
	rtt := newRTTEstimator(50*time.Millisecond, 50*time.Millisecond)
	l := newTestLoop(t, rtt)
	reused, overdue := openSocket(t), openSocket(t)
	l.order = append(l.order, sentProbe{fd: reused, index: 0}) // port 0's probe, answered long ago
	l.inFlightNow(overdue, 1, time.Second)
	l.inFlightNow(reused, 2, 0) // port 2's probe got port 0's old descriptor number

	l.expire()
	if _, ok := l.inFlight[overdue]; ok {
		t.Error("probe overdue by 950ms not expired: expire stopped at a reused descriptor's old entry")
	}
	if _, ok := l.inFlight[reused]; !ok {
		t.Error("the probe just sent on the reused descriptor was expired")
	}
}

// An answer the loop sees late (the machine was busy) must be timed by the kernel's own
// handshake measurement, not by when the loop looked: else a busy scanner believes the host
// is far away and waits that long on every filtered port.
func TestAnswerTimedByTheKernelNotByTheLoop(t *testing.T) {
	open := listenOn(t, 1)
	rtt := newRTTEstimator(50*time.Millisecond, 10*time.Second)
	l := newTestLoop(t, rtt)
	l.ports[0] = open[0]
	result, fd, err := l.connect(open[0])
	if err != nil {
		t.Fatal(err)
	}
	if fd < 0 {
		t.Fatalf("loopback connect answered at once (%v): Linux normally answers a non-blocking connect with EINPROGRESS", result)
	}
	l.inFlightNow(int32(fd), 0, 0)
	events := make([]syscall.EpollEvent, 1)
	if n, err := syscall.EpollWait(l.epfd, events, 5000); err != nil || n != 1 {
		t.Fatalf("no answer from an open loopback port within 5s: n=%d err=%v", n, err)
	}
	const lookedLate = 300 * time.Millisecond
	l.answered(int32(fd), time.Now().Add(lookedLate)) // as if the loop looked only now

	if l.answers[0] != answeredOpen {
		t.Fatalf("answer = %v, want open", l.answers[0])
	}
	if got := rtt.smoothed(); got <= 0 || got >= lookedLate {
		t.Errorf("RTT sample = %v; want the kernel's handshake time, far below the %v the loop took to look", got, lookedLate)
	}
}
