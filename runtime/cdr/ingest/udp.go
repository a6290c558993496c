package ingest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
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

// batchReader is ipv4.PacketConn or ipv6.PacketConn: both read with recvmmsg(2).
type batchReader interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
}

// UDPListener receives VXLAN datagrams.
type UDPListener struct {
	conn     *net.UDPConn
	reader   batchReader
	messages []ipv4.Message
	batch    Batch
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
	l := &UDPListener{conn: conn, messages: make([]ipv4.Message, batchSize)}
	if udpAddr.IP != nil && udpAddr.IP.To4() == nil {
		l.reader = ipv6Reader{ipv6.NewPacketConn(conn)}
	} else {
		l.reader = ipv4.NewPacketConn(conn)
	}
	backing := make([]byte, batchSize*MaxDatagram)
	for i := range l.messages {
		l.messages[i].Buffers = [][]byte{backing[i*MaxDatagram : (i+1)*MaxDatagram]}
		l.messages[i].OOB = make([]byte, controlSize)
	}
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
	if err := l.conn.SetReadDeadline(time.Now().Add(ReadTimeout)); err != nil {
		return nil, fmt.Errorf("udp listener: %w", err)
	}
	n, err := l.reader.ReadBatch(l.messages, 0)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return &l.batch, nil
		}
		return nil, fmt.Errorf("udp listener: %w", err)
	}
	for i := range n {
		m := &l.messages[i]
		frame := m.Buffers[0][:m.N]
		l.batch.Frames = append(l.batch.Frames, frame)
		l.batch.Bytes += m.N
	}
	if n > 0 {
		if drops, ok := dropCount(l.messages[n-1].OOB[:l.messages[n-1].NN]); ok {
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

// ipv6Reader adapts ipv6.PacketConn (whose Message is the same type).
type ipv6Reader struct{ c *ipv6.PacketConn }

func (r ipv6Reader) ReadBatch(ms []ipv4.Message, flags int) (int, error) {
	return r.c.ReadBatch(ms, flags)
}
