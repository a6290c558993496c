package portscan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Pinger sends ICMP echo requests over one socket and matches replies by identifier and
// sequence number. It uses a raw ICMP socket when permitted (CAP_NET_RAW) and otherwise the
// unprivileged "ping" datagram socket that Linux allows to groups in net.ipv4.ping_group_range.
type Pinger struct {
	conn    net.PacketConn
	raw     bool
	id      uint16
	mu      sync.Mutex
	seq     uint16
	waiting map[uint16]chan struct{}
	done    chan struct{}
}

// OpenPinger opens the ICMP socket; an error means ICMP echo is not permitted here.
func OpenPinger() (*Pinger, error) {
	p := &Pinger{id: uint16(rand.IntN(1 << 16)), waiting: map[uint16]chan struct{}{}, done: make(chan struct{})}
	conn, err := net.ListenPacket("ip4:icmp", "0.0.0.0")
	if err == nil {
		p.raw = true
	} else {
		// Unprivileged ping sockets: Linux sets the identifier itself.
		var udpErr error
		conn, udpErr = listenPingSocket()
		if udpErr != nil {
			return nil, fmt.Errorf("icmp echo not permitted: raw socket: %v; ping socket: %w", err, udpErr)
		}
	}
	p.conn = conn
	go p.readReplies()
	return p, nil
}

// Close stops the pinger.
func (p *Pinger) Close() error {
	err := p.conn.Close()
	<-p.done
	return err
}

// Ping sends one echo request to addr (IPv4) and waits for its reply until ctx ends.
func (p *Pinger) Ping(ctx context.Context, addr netip.Addr) (time.Duration, error) {
	if !addr.Is4() {
		return 0, errors.New("icmp echo: IPv4 only")
	}
	p.mu.Lock()
	p.seq++
	seq := p.seq
	reply := make(chan struct{})
	p.waiting[seq] = reply
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.waiting, seq)
		p.mu.Unlock()
	}()
	msg := buildEcho(p.id, seq)
	start := time.Now()
	var dst net.Addr = &net.IPAddr{IP: addr.AsSlice()}
	if !p.raw {
		dst = &net.UDPAddr{IP: addr.AsSlice()}
	}
	if _, err := p.conn.WriteTo(msg, dst); err != nil {
		return 0, fmt.Errorf("icmp echo to %s: %w", addr, err)
	}
	select {
	case <-reply:
		return time.Since(start), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (p *Pinger) readReplies() {
	defer close(p.done)
	buf := make([]byte, 1500)
	for {
		n, _, err := p.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		id, seq, ok := parseEchoReply(buf[:n])
		if !ok || (p.raw && id != p.id) {
			continue
		}
		p.mu.Lock()
		if ch, found := p.waiting[seq]; found {
			close(ch)
			delete(p.waiting, seq)
		}
		p.mu.Unlock()
	}
}

// buildEcho is an ICMP echo request with an 8-byte payload.
func buildEcho(id, seq uint16) []byte {
	b := make([]byte, 16)
	b[0] = 8 // echo request
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], "rampart!")
	binary.BigEndian.PutUint16(b[2:], internetChecksum(b))
	return b
}

// parseEchoReply reads an ICMP message from the network (untrusted). ok is false unless it
// is an echo reply of at least 8 bytes.
func parseEchoReply(b []byte) (id, seq uint16, ok bool) {
	if len(b) < 8 || b[0] != 0 || b[1] != 0 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:]), true
}

func internetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
