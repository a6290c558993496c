package portscan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// discoveryPorts are probed to see whether a host is there: any answer, even a reset, proves it.
var discoveryPorts = []uint16{80, 443, 22, 445, 3389, 8080, 25, 53}

// HostUp is the answer of host discovery for one address.
type HostUp struct {
	Up bool
	// Reason says which probe answered: "tcp/80 syn-ack", "tcp/22 reset", "icmp echo reply".
	Reason string
	// RTT is the round trip of that answer; it seeds the port scan's adaptive timeout.
	RTT time.Duration
}

// Discover checks whether addr answers: TCP connects to common ports and, when permitted,
// an ICMP echo, all at once; the first answer wins. timeout bounds the whole check.
func Discover(ctx context.Context, addr netip.Addr, pinger *Pinger, timeout time.Duration) HostUp {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answers := make(chan HostUp, len(discoveryPorts)+1)
	var wg sync.WaitGroup
	for _, port := range discoveryPorts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(addr.String(), strconv.Itoa(int(port))))
			rtt := time.Since(start)
			switch {
			case err == nil:
				setLingerZero(conn)
				conn.Close()
				answers <- HostUp{Up: true, Reason: "tcp/" + strconv.Itoa(int(port)) + " syn-ack", RTT: rtt}
			case errors.Is(err, syscall.ECONNREFUSED):
				answers <- HostUp{Up: true, Reason: "tcp/" + strconv.Itoa(int(port)) + " reset", RTT: rtt}
			}
		}()
	}
	if pinger != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rtt, err := pinger.Ping(ctx, addr); err == nil {
				answers <- HostUp{Up: true, Reason: "icmp echo reply", RTT: rtt}
			}
		}()
	}
	go func() { wg.Wait(); close(answers) }()
	for up := range answers {
		cancel() // the others may stop
		return up
	}
	return HostUp{Reason: "no answer to tcp " + portList(discoveryPorts) + pingNote(pinger)}
}

func portList(ports []uint16) string {
	s := ""
	for i, p := range ports {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(int(p))
	}
	return s
}

func pingNote(p *Pinger) string {
	if p == nil {
		return " (icmp echo not permitted)"
	}
	return " or icmp echo"
}
