package main

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// The bulk capture: bulkFlows clients download large files over HTTP at the same time, as
// full-size segments (1448-byte payloads: a 1500-byte MTU with TCP timestamps) interleaved
// flow by flow, each client acknowledging every second segment. One download in four is
// an executable (it starts with an ELF header), which the sensor searches for miner
// signatures: package updates and container layers look like that.
const (
	bulkFlows       = 8
	bulkSegment     = 1448
	bulkPacketGap   = 12 * time.Microsecond // about 1 Gbit/s of capture time
	bulkServerPort  = 80
	bulkClientPort0 = 41000
)

var bulkServer = netip.MustParseAddr("192.0.2.80")

// bulkFlow is one download in progress.
type bulkFlow struct {
	client, server netip.AddrPort
	request        []byte
	response       []byte // header and body
	sent           int    // response bytes sent so far
	segments       int
	clientSeq      uint32
	serverSeq      uint32
}

// writeBulk writes flows concurrent downloads of totalBytes in all to sink.
func writeBulk(sink frameSink, flows int, totalBytes int64) error {
	body := pseudoRandomBytes(1 << 20)
	written := 0
	emit := func(seg synth.TCPSegment) error {
		t := captureStart.Add(time.Duration(written) * bulkPacketGap)
		written++
		return sink(t, synth.TCP(seg))
	}
	active := make([]*bulkFlow, 0, flows)
	for i := range flows {
		f := newBulkFlow(i, int(totalBytes/int64(flows)), body)
		active = append(active, f)
		if err := f.open(emit); err != nil {
			return err
		}
	}
	// Round-robin until every response is sent; each pass sends one segment per flow.
	for len(active) > 0 {
		next := active[:0]
		for _, f := range active {
			done, err := f.sendSegment(emit)
			if err != nil {
				return err
			}
			if done {
				if err := f.close(emit); err != nil {
					return err
				}
				continue
			}
			next = append(next, f)
		}
		active = next
	}
	return nil
}

func newBulkFlow(i, size int, body []byte) *bulkFlow {
	client := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 2, byte(10 + i)}), uint16(bulkClientPort0+i))
	name := fmt.Sprintf("dataset-%d.tar", i)
	contentType := "application/x-tar"
	payload := make([]byte, size)
	for off := 0; off < size; off += len(body) {
		copy(payload[off:], body)
	}
	if i%4 == 0 {
		name = fmt.Sprintf("agent-%d", i)
		contentType = "application/octet-stream"
		copy(payload, elfHeader)
	}
	request := fmt.Sprintf("GET /downloads/%s HTTP/1.1\r\nHost: downloads.example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", name)
	header := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", contentType, size)
	return &bulkFlow{
		client:    client,
		server:    netip.AddrPortFrom(bulkServer, bulkServerPort),
		request:   []byte(request),
		response:  append([]byte(header), payload...),
		clientSeq: 1_000_000 * uint32(i+1),
		serverSeq: 7_000_000 * uint32(i+1),
	}
}

// elfHeader starts a 64-bit little-endian ELF executable.
var elfHeader = []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0}

// open writes the handshake and the request.
func (f *bulkFlow) open(emit func(synth.TCPSegment) error) error {
	c, s := f.client, f.server
	segments := []synth.TCPSegment{
		{Src: c, Dst: s, SYN: true, Seq: f.clientSeq, Options: synth.TCPOptions},
		{Src: s, Dst: c, SYN: true, ACK: true, Seq: f.serverSeq, Ack: f.clientSeq + 1, Options: synth.TCPOptions},
		{Src: c, Dst: s, ACK: true, Seq: f.clientSeq + 1, Ack: f.serverSeq + 1},
		{Src: c, Dst: s, ACK: true, PSH: true, Seq: f.clientSeq + 1, Ack: f.serverSeq + 1, Payload: f.request},
	}
	f.clientSeq += 1 + uint32(len(f.request))
	f.serverSeq++
	for _, seg := range segments {
		if err := emit(seg); err != nil {
			return err
		}
	}
	return nil
}

// sendSegment writes the next segment of the response, and the client's ACK after every
// second one. It reports whether the response is complete.
func (f *bulkFlow) sendSegment(emit func(synth.TCPSegment) error) (bool, error) {
	end := min(f.sent+bulkSegment, len(f.response))
	seg := synth.TCPSegment{Src: f.server, Dst: f.client, ACK: true, Seq: f.serverSeq + uint32(f.sent), Ack: f.clientSeq,
		Payload: f.response[f.sent:end], PSH: end == len(f.response)}
	if err := emit(seg); err != nil {
		return false, err
	}
	f.sent = end
	f.segments++
	done := f.sent == len(f.response)
	if f.segments%2 == 0 || done {
		ack := synth.TCPSegment{Src: f.client, Dst: f.server, ACK: true, Seq: f.clientSeq, Ack: f.serverSeq + uint32(f.sent)}
		if err := emit(ack); err != nil {
			return false, err
		}
	}
	return done, nil
}

// close writes the server's FIN, the client's FIN and the last ACK.
func (f *bulkFlow) close(emit func(synth.TCPSegment) error) error {
	serverFin := f.serverSeq + uint32(len(f.response))
	for _, seg := range []synth.TCPSegment{
		{Src: f.server, Dst: f.client, ACK: true, FIN: true, Seq: serverFin, Ack: f.clientSeq},
		{Src: f.client, Dst: f.server, ACK: true, FIN: true, Seq: f.clientSeq, Ack: serverFin + 1},
		{Src: f.server, Dst: f.client, ACK: true, Seq: serverFin + 1, Ack: f.clientSeq + 1},
	} {
		if err := emit(seg); err != nil {
			return err
		}
	}
	return nil
}

// pseudoRandomBytes is incompressible content from a fixed seed, so every run is the same.
func pseudoRandomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
