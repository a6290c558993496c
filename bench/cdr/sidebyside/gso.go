package main

import (
	"context"
	"fmt"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// gsoSegments is how many datagrams one UDP GSO send carries (the kernel's limit is 64
// on older kernels, 128 on newer ones).
const gsoSegments = 64

// padForGSO returns payloads padded with zero bytes to one size, the largest: UDP
// segmentation offload cuts a send into equal segments. For VXLAN datagrams the padding
// follows the inner IP packet, where Ethernet padding goes, so decoders (which read the IP
// total length) see the same packets.
func padForGSO(payloads [][]byte) (size int, padded [][]byte) {
	for _, p := range payloads {
		size = max(size, len(p))
	}
	padded = make([][]byte, len(payloads))
	for i, p := range payloads {
		q := make([]byte, size)
		copy(q, p)
		padded[i] = q
	}
	return size, padded
}

// sendPacedGSO is sendPaced with UDP segmentation offload (UDP_SEGMENT): one sendmsg
// carries gsoSegments datagrams, which the kernel cuts apart after routing them once. On
// loopback the sender's system call also carries the delivery to the receiving socket;
// per-datagram sends cost ~8 µs each on this machine's VMs, too much to offer the 400 kpps
// issue 7 asks the sensor to take. payloads must all have the same length (padForGSO).
func sendPacedGSO(ctx context.Context, addr string, payloads [][]byte, rate int, limit time.Duration) (sendResult, error) {
	if rate <= 0 {
		return sendResult{}, fmt.Errorf("send rate %d: must be positive", rate)
	}
	if len(payloads) == 0 {
		return sendResult{}, nil
	}
	size := len(payloads[0])
	conn, err := dialLoopbackUDP(addr)
	if err != nil {
		return sendResult{}, err
	}
	defer conn.Close()
	if err := setGSOSize(conn, size); err != nil {
		return sendResult{}, fmt.Errorf("sender: UDP segmentation offload: %w", err)
	}

	buf := make([]byte, 0, gsoSegments*size)
	return pace(ctx, len(payloads), rate, limit, func(from int) (int, error) {
		n := min(gsoSegments, len(payloads)-from)
		buf = buf[:0]
		for i := range n {
			if len(payloads[from+i]) != size {
				return 0, fmt.Errorf("sender: datagram %d has %d bytes, not %d", from+i, len(payloads[from+i]), size)
			}
			buf = append(buf, payloads[from+i]...)
		}
		if _, err := conn.Write(buf); err != nil {
			return 0, fmt.Errorf("sender: GSO send after %d datagrams: %w", from, err)
		}
		return n, nil
	})
}

// setGSOSize sets UDP_SEGMENT on the socket: every send is cut into datagrams of size.
func setGSOSize(conn *net.UDPConn, size int) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	err = raw.Control(func(fd uintptr) {
		opErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT, size)
	})
	if err != nil {
		return err
	}
	if opErr == syscall.ENOPROTOOPT {
		return fmt.Errorf("this kernel has no UDP_SEGMENT (Linux 4.18+): %w", opErr)
	}
	return opErr
}
