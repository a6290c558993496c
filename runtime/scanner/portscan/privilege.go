package portscan

import (
	"net"
	"os"
	"syscall"
)

// CanRawSocket reports whether this process may open raw sockets (CAP_NET_RAW), by trying:
// capability sets, user namespaces and seccomp profiles all decide, and only the kernel knows.
func CanRawSocket() bool {
	conn, err := net.ListenIP("ip4:tcp", &net.IPAddr{IP: net.IPv4zero})
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// listenPingSocket opens an unprivileged ICMP datagram socket ("ping socket").
func listenPingSocket() (net.PacketConn, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, syscall.IPPROTO_ICMP)
	if err != nil {
		return nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{}); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "icmp-ping-socket")
	defer f.Close()
	return net.FilePacketConn(f)
}
