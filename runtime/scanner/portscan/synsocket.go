package portscan

import (
	"fmt"
	"net"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
)

// synReceiveBuffer is the raw socket's receive buffer: a burst of replies to thousands of
// SYNs must wait there while the reader catches up, or open ports are lost under load.
const synReceiveBuffer = 16 << 20

// tuneSYNSocket gives the raw socket a large receive buffer (SO_RCVBUFFORCE: past
// net.core.rmem_max, allowed with CAP_NET_ADMIN; else the plain, capped SO_RCVBUF) and a
// socket filter that passes only segments to srcPort. A raw TCP socket receives a copy of
// every TCP segment the host gets; the filter keeps the rest of the machine's traffic out
// of the buffer, in the kernel.
func tuneSYNSocket(conn *net.IPConn, srcPort uint16) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	err = raw.Control(func(fd uintptr) {
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, synReceiveBuffer) != nil {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, synReceiveBuffer)
		}
	})
	if err != nil {
		return err
	}
	// The filter sees the packet from its IPv4 header.
	filter, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadMemShift{Off: 0},          // X = IP header length
		bpf.LoadIndirect{Off: 2, Size: 2}, // A = TCP destination port
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(srcPort), SkipFalse: 1},
		bpf.RetConstant{Val: 0xffff}, // ours: keep
		bpf.RetConstant{Val: 0},      // not ours: drop
	})
	if err != nil {
		return fmt.Errorf("assemble socket filter: %w", err)
	}
	if err := ipv4.NewPacketConn(conn).SetBPF(filter); err != nil {
		return fmt.Errorf("attach socket filter: %w", err)
	}
	return nil
}
