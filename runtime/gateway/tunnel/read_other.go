//go:build !unix

package tunnel

import "net"

func newReader(c net.Conn) func() (*[]byte, int, error) { return connReader(c) }
