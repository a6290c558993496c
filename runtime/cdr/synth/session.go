package synth

import (
	"net/netip"
	"time"
)

// Conversation writes one complete TCP connection starting at t: handshake, the client's
// request, the server's response, and the close (FIN both ways). Packets are 1 ms apart.
// The client's SYN carries a Linux stack's options.
func (p *PcapWriter) Conversation(t time.Time, client, server netip.AddrPort, request, response []byte) error {
	const step = time.Millisecond
	segments := []TCPSegment{
		{Src: client, Dst: server, SYN: true, Seq: 1000, Options: TCPOptions},
		{Src: server, Dst: client, SYN: true, ACK: true, Seq: 5000, Ack: 1001, Options: TCPOptions},
		{Src: client, Dst: server, ACK: true, Seq: 1001, Ack: 5001},
		{Src: client, Dst: server, ACK: true, PSH: true, Seq: 1001, Ack: 5001, Payload: request},
		{Src: server, Dst: client, ACK: true, PSH: true, Seq: 5001, Ack: 1001 + uint32(len(request)), Payload: response},
		{Src: client, Dst: server, ACK: true, FIN: true, Seq: 1001 + uint32(len(request)), Ack: 5001 + uint32(len(response))},
		{Src: server, Dst: client, ACK: true, FIN: true, Seq: 5001 + uint32(len(response)), Ack: 1002 + uint32(len(request))},
	}
	for i, s := range segments {
		if err := p.Write(t.Add(time.Duration(i)*step), TCP(s)); err != nil {
			return err
		}
	}
	return nil
}

// DNSExchange writes a query from client to resolver and its response 2 ms later.
func (p *PcapWriter) DNSExchange(t time.Time, client, resolver netip.AddrPort, query, response []byte) error {
	if err := p.Write(t, UDP(client, resolver, query)); err != nil {
		return err
	}
	return p.Write(t.Add(2*time.Millisecond), UDP(resolver, client, response))
}
