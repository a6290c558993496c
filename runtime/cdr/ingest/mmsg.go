package ingest

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgReader receives up to len(buffers) datagrams with one recvmmsg(2) into headers built
// once. golang.org/x/net's ReadBatch, used before, rebuilt the kernel's headers on every
// call and allocated a net.UDPAddr per datagram; the sensor needs neither the sender's
// address (the VXLAN header says which mirror session a frame is from) nor fresh headers.
type mmsgReader struct {
	raw     syscall.RawConn
	headers []unix.Mmsghdr
	iovecs  []unix.Iovec
	buffers [][]byte // one datagram each
	control [][]byte // each datagram's control messages (SO_RXQ_OVFL)

	// receive is the recvmmsg call handed to raw.Read, made once: a closure built per
	// read would be allocated per read. It leaves its outcome in received and errno.
	receive  func(fd uintptr) bool
	received int
	errno    syscall.Errno
}

func newMmsgReader(raw syscall.RawConn, batchSize, datagramSize, controlSize int) *mmsgReader {
	r := &mmsgReader{
		raw:     raw,
		headers: make([]unix.Mmsghdr, batchSize),
		iovecs:  make([]unix.Iovec, batchSize),
		buffers: make([][]byte, batchSize),
		control: make([][]byte, batchSize),
	}
	data := make([]byte, batchSize*datagramSize)
	oob := make([]byte, batchSize*controlSize)
	for i := range batchSize {
		r.buffers[i] = data[i*datagramSize : (i+1)*datagramSize : (i+1)*datagramSize]
		r.control[i] = oob[i*controlSize : (i+1)*controlSize : (i+1)*controlSize]
		r.iovecs[i].Base = &r.buffers[i][0]
		r.iovecs[i].SetLen(datagramSize)
		h := &r.headers[i].Hdr
		h.Iov = &r.iovecs[i]
		h.SetIovlen(1)
		h.Control = &r.control[i][0]
	}
	r.receive = r.recvmmsg
	return r
}

// recvmmsg receives what is queued without blocking; false asks the runtime's poller to
// wait until the socket is readable (or the read deadline passes) and call again.
func (r *mmsgReader) recvmmsg(fd uintptr) bool {
	for {
		got, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.headers[0])), uintptr(len(r.headers)), unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case unix.EINTR:
			continue // a signal came first: the datagrams are still queued
		case unix.EAGAIN:
			return false
		}
		r.received, r.errno = int(got), e
		return true
	}
}

// read waits (up to the connection's read deadline) for at least one datagram and
// receives as many as are queued, up to the batch size. It returns how many arrived;
// datagram i is buffers[i][:length(i)].
func (r *mmsgReader) read() (int, error) {
	for i := range r.headers {
		// The kernel overwrites the control length with what it wrote.
		r.headers[i].Hdr.SetControllen(len(r.control[i]))
	}
	r.received, r.errno = 0, 0
	if err := r.raw.Read(r.receive); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, fmt.Errorf("recvmmsg: %w", r.errno)
	}
	return r.received, nil
}

// length is the size of datagram i of the last read.
func (r *mmsgReader) length(i int) int { return int(r.headers[i].Len) }

// controlMessages are datagram i's control messages from the last read.
func (r *mmsgReader) controlMessages(i int) []byte {
	return r.control[i][:r.headers[i].Hdr.Controllen]
}
