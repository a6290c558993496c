// Package freeport hands tests a free loopback TCP port for a server to listen on.
//
// Asking the kernel for port 0 returns a port from the ephemeral range, which the kernel
// also hands to outgoing connections: between a test closing its probe listener (or
// killing a server) and a server binding that port again, any client socket on the
// machine may take it, and the bind fails with "address already in use". Ports below
// the ephemeral range are never assigned to clients, so they stay free once found free.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Port returns a TCP port on 127.0.0.1 that is free now and below the ephemeral range.
func Port(t testing.TB) int {
	t.Helper()
	port, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// Find is Port for programs (benchmark and corpus runners) that have no testing.TB.
func Find() (int, error) {
	low := ephemeralLow()
	const first = 20000
	for range 200 {
		port := first + rand.IntN(low-first)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free loopback port between %d and %d", first, low)
}

// ephemeralLow is the first port the kernel may give to outgoing connections.
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if fields := strings.Fields(string(data)); len(fields) == 2 {
			if n, err := strconv.Atoi(fields[0]); err == nil && n > 21000 {
				return n
			}
		}
	}
	return 32768
}
