package portscan

import "net"

// setLingerZero makes Close send a reset instead of a FIN: the scanner has nothing to say,
// and neither side keeps the connection in TIME_WAIT (which would use up ephemeral ports).
func setLingerZero(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
}
