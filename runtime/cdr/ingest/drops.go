package ingest

import (
	"encoding/binary"
	"net"
	"syscall"
	"unsafe"
)

// soRXQOverflow is SO_RXQ_OVFL: the kernel attaches to each datagram the socket's count of
// datagrams dropped for lack of queue space, so loss is measured rather than guessed.
const soRXQOverflow = 40

// controlSize holds one control message with a 4-byte payload.
var controlSize = syscall.CmsgSpace(4)

func countDrops(conn *net.UDPConn) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soRXQOverflow, 1)
	})
}

// dropCount reads the SO_RXQ_OVFL counter from a datagram's control messages without
// allocating (syscall.ParseSocketControlMessage would).
func dropCount(oob []byte) (uint32, bool) {
	const headerLen = int(unsafe.Sizeof(syscall.Cmsghdr{}))
	for len(oob) >= headerLen {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		length := int(h.Len)
		if length < headerLen || length > len(oob) {
			return 0, false
		}
		if h.Level == syscall.SOL_SOCKET && h.Type == soRXQOverflow && length >= headerLen+4 {
			return binary.NativeEndian.Uint32(oob[headerLen:]), true
		}
		oob = oob[min(syscall.CmsgSpace(length-headerLen), len(oob)):]
	}
	return 0, false
}
