package ingest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// Defaults of the UDP listener.
const (
	DefaultBatchSize = 64
	// DefaultReadBuffer is the socket receive buffer asked for: a deep queue rides out the
	// pauses of the goroutine that reads it (garbage collection, a burst of findings).
	DefaultReadBuffer = 32 << 20
	// MaxDatagram holds a VXLAN datagram carrying a 9001-byte (AWS jumbo) inner frame.
	MaxDatagram = 9216
)

// UDPListener receives VXLAN datagrams.
type UDPListener struct {
	conn   *net.UDPConn
	reader *mmsgReader
	batch  Batch
	// deadline is the socket's read deadline: moved forward only when less than half of
	// ReadTimeout is left, not on every Read (each move resets a runtime timer).
	deadline time.Time
	// kernelDrops is the socket's count of datagrams dropped because its receive queue
	// was full (SO_RXQ_OVFL), as of the last batch.
	kernelDrops uint32
}

// ListenUDP binds address (host:port) and prepares batches of batchSize datagrams.
func ListenUDP(address string, batchSize int) (*UDPListener, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	udpAddr, err := net.ResolveUDPAddr("udp", address)
	if err != nil {
		return nil, fmt.Errorf("listen.address: %w", err)
	}
	conn, err := net.ListenUDP("udp", udpAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on udp %s: %w", address, err)
	}
	setReadBuffer(conn, DefaultReadBuffer)
	countDrops(conn)
	raw, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("listen on udp %s: %w", address, err)
	}
	l := &UDPListener{conn: conn, reader: newMmsgReader(raw, batchSize, MaxDatagram, controlSize)}
	l.batch.Frames = make([][]byte, 0, batchSize)
	return l, nil
}

// setReadBuffer asks for a large receive buffer, beyond net.core.rmem_max when the process
// may (SO_RCVBUFFORCE needs CAP_NET_ADMIN); otherwise the kernel's cap applies.
func setReadBuffer(conn *net.UDPConn, size int) {
	raw, err := conn.SyscallConn()
	if err == nil {
		var forced error
		_ = raw.Control(func(fd uintptr) {
			forced = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, size)
		})
		if forced == nil {
			return
		}
	}
	_ = conn.SetReadBuffer(size)
}

// Addr is the bound address.
func (l *UDPListener) Addr() net.Addr { return l.conn.LocalAddr() }

// Read waits up to ReadTimeout for datagrams and returns those that arrived (perhaps
// none). Each frame is a datagram's payload: a VXLAN header and the inner frame.
func (l *UDPListener) Read() (*Batch, error) {
	l.batch.Frames = l.batch.Frames[:0]
	l.batch.Bytes = 0
	if now := time.Now(); l.deadline.Sub(now) < ReadTimeout/2 {
		l.deadline = now.Add(ReadTimeout)
		if err := l.conn.SetReadDeadline(l.deadline); err != nil {
			return nil, fmt.Errorf("udp listener: %w", err)
		}
	}
	n, err := l.reader.read()
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return &l.batch, nil
		}
		return nil, fmt.Errorf("udp listener: %w", err)
	}
	for i := range n {
		size := l.reader.length(i)
		l.batch.Frames = append(l.batch.Frames, l.reader.buffers[i][:size])
		l.batch.Bytes += size
	}
	if n > 0 {
		if drops, ok := dropCount(l.reader.controlMessages(n - 1)); ok {
			l.kernelDrops = drops
		}
	}
	return &l.batch, nil
}

// KernelDrops is how many datagrams the kernel dropped because the socket's queue was
// full, since the listener was bound (as reported with the last datagram read).
func (l *UDPListener) KernelDrops() uint64 { return uint64(l.kernelDrops) }

// Close closes the socket; a Read in progress returns an error.
func (l *UDPListener) Close() error { return l.conn.Close() }
