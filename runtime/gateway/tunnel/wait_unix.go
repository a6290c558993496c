//go:build unix

package tunnel

import (
	"net"
	"syscall"
)

// readinessWaiter returns a function that blocks until c has bytes to read (or EOF, or an
// error), honouring c's read deadline, without holding a buffer while it waits: it asks
// the runtime's poller for readability and peeks one byte with MSG_PEEK. Connections that
// are not plain sockets (TLS, wrapped) get a waiter that returns at once; their Read then
// blocks holding the buffer.
func readinessWaiter(c net.Conn) func() error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return func() error { return nil }
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return func() error { return nil }
	}
	var peek [1]byte
	return func() error {
		return raw.Read(func(fd uintptr) bool {
			_, _, err := syscall.Recvfrom(int(fd), peek[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			// EAGAIN: nothing yet, let the poller wait. Anything else (data, EOF, an
			// error) is for Read to report.
			return err != syscall.EAGAIN
		})
	}
}
