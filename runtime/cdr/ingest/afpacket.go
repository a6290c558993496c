package ingest

import (
	"errors"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// Interface reads every frame seen on a network interface through an AF_PACKET socket
// (no libpcap, no cgo). It needs CAP_NET_RAW.
type Interface struct {
	fd      int
	name    string
	poll    []unix.PollFd
	buffers [][]byte
	batch   Batch
	drops   uint64
}

// OpenInterface opens an AF_PACKET socket bound to the named interface, reading up to
// batchSize frames per Read.
func OpenInterface(name string, batchSize int) (*Interface, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("listen.interface %q: %w (list interfaces with `ip link`)", name, err)
	}
	protocol := htons(unix.ETH_P_ALL)
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(protocol))
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("listen.interface %q: open AF_PACKET socket: %w (run as root or grant CAP_NET_RAW)", name, err)
		}
		return nil, fmt.Errorf("listen.interface %q: open AF_PACKET socket: %w", name, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: protocol, Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("listen.interface %q: bind: %w", name, err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, DefaultReadBuffer)
	in := &Interface{fd: fd, name: name, poll: []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}}
	backing := make([]byte, batchSize*MaxDatagram)
	for i := range batchSize {
		in.buffers = append(in.buffers, backing[i*MaxDatagram:(i+1)*MaxDatagram])
	}
	in.batch.Frames = make([][]byte, 0, batchSize)
	return in, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Read waits up to ReadTimeout for frames and returns those queued (perhaps none). Frames
// are Ethernet frames, cut to MaxDatagram bytes.
func (in *Interface) Read() (*Batch, error) {
	in.batch.Frames = in.batch.Frames[:0]
	in.batch.Bytes = 0
	n, err := unix.Poll(in.poll, int(ReadTimeout.Milliseconds()))
	if err != nil && !errors.Is(err, unix.EINTR) {
		return nil, fmt.Errorf("interface %s: poll: %w", in.name, err)
	}
	if n <= 0 {
		return &in.batch, nil
	}
	for _, buf := range in.buffers {
		size, err := unix.Read(in.fd, buf)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("interface %s: read: %w", in.name, err)
		}
		in.batch.Frames = append(in.batch.Frames, buf[:size])
		in.batch.Bytes += size
	}
	return &in.batch, nil
}

// KernelDrops is how many frames the kernel dropped for this socket since it was opened.
// PACKET_STATISTICS resets on every read, so the counts are summed here.
func (in *Interface) KernelDrops() uint64 {
	if stats, err := unix.GetsockoptTpacketStats(in.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
		in.drops += uint64(stats.Drops)
	}
	return in.drops
}

// Close closes the socket.
func (in *Interface) Close() error { return unix.Close(in.fd) }
