//go:build unix

package tunnel

import (
	"io"
	"net"
	"os"
	"syscall"
)

// newReader returns a function that reads c's next bytes into a buffer from the pool,
// taking the buffer only when the bytes are there: it reads the socket from inside the
// runtime poller's callback (syscall.RawConn.Read), so a read that finds nothing gives
// the buffer straight back and the goroutine waits for readability holding none. That is
// the same system calls as a plain Read (one read, plus one that finds nothing before each
// wait) with no buffer held by idle tunnels. The read honours c's read deadline.
// Connections that are not plain sockets (TLS, wrapped) get a plain Read.
func newReader(c net.Conn) func() (*[]byte, int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return connReader(c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return connReader(c)
	}
	r := &socketReader{raw: raw}
	r.readReady = r.readSocket // a method value made once, not on every read
	return r.read
}

// socketReader holds the result of the poller callback.
type socketReader struct {
	raw       syscall.RawConn
	readReady func(fd uintptr) bool
	buf       *[]byte
	n         int
	err       error
}

func (r *socketReader) read() (*[]byte, int, error) {
	r.buf, r.n, r.err = nil, 0, nil
	if err := r.raw.Read(r.readReady); err != nil {
		return nil, 0, err // the deadline passed or the connection was closed
	}
	return r.buf, r.n, r.err
}

// readSocket is the poller callback: it returns false to wait for readability.
func (r *socketReader) readSocket(fd uintptr) bool {
	buf := buffers.Get().(*[]byte)
	for {
		n, err := syscall.Read(int(fd), *buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			buffers.Put(buf)
			return false
		case n > 0:
			r.buf, r.n = buf, n
			return true
		}
		buffers.Put(buf)
		if err != nil {
			r.err = os.NewSyscallError("read", err)
		} else {
			r.err = io.EOF
		}
		return true
	}
}
