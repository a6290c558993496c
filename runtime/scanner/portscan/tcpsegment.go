package portscan

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// TCP flags the SYN scan sends and reads.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagACK = 0x10
)

// synSegmentLen is a 20-byte TCP header plus the MSS option (4 bytes): a SYN without
// options looks odd to some stacks and firewalls.
const synSegmentLen = 24

// buildSYN writes a SYN segment from src:srcPort to dst:dstPort with sequence number seq
// into b (len ≥ synSegmentLen) and returns the segment. The kernel adds the IP header.
func buildSYN(b []byte, src, dst netip.Addr, srcPort, dstPort uint16, seq uint32) []byte {
	b = b[:synSegmentLen]
	binary.BigEndian.PutUint16(b[0:], srcPort)
	binary.BigEndian.PutUint16(b[2:], dstPort)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], 0)     // ack
	b[12] = (synSegmentLen / 4) << 4         // data offset in 32-bit words
	b[13] = flagSYN                          //
	binary.BigEndian.PutUint16(b[14:], 1024) // window
	binary.BigEndian.PutUint16(b[16:], 0)    // checksum, below
	binary.BigEndian.PutUint16(b[18:], 0)    // urgent pointer
	b[20], b[21] = 2, 4                      // MSS option, length 4
	binary.BigEndian.PutUint16(b[22:], 1460)
	binary.BigEndian.PutUint16(b[16:], tcpChecksum(b, src, dst))
	return b
}

// tcpChecksum is the Internet checksum over the IPv4 pseudo-header and the segment.
func tcpChecksum(segment []byte, src, dst netip.Addr) uint16 {
	s, d := src.As4(), dst.As4()
	var sum uint32
	sum += uint32(s[0])<<8 | uint32(s[1])
	sum += uint32(s[2])<<8 | uint32(s[3])
	sum += uint32(d[0])<<8 | uint32(d[1])
	sum += uint32(d[2])<<8 | uint32(d[3])
	sum += 6 // protocol TCP
	sum += uint32(len(segment))
	for i := 0; i+1 < len(segment); i += 2 {
		sum += uint32(segment[i])<<8 | uint32(segment[i+1])
	}
	if len(segment)%2 == 1 {
		sum += uint32(segment[len(segment)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// tcpReply is the part of a received TCP segment the SYN scan needs.
type tcpReply struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
}

var errShortSegment = errors.New("tcp segment shorter than its header")

// parseTCPReply reads the header of a segment received from the network (untrusted: any
// host may send anything to the raw socket). It never reads past b and never allocates.
func parseTCPReply(b []byte) (tcpReply, error) {
	if len(b) < 20 {
		return tcpReply{}, errShortSegment
	}
	if offset := int(b[12]>>4) * 4; offset < 20 || offset > len(b) {
		return tcpReply{}, errShortSegment
	}
	return tcpReply{
		SrcPort: binary.BigEndian.Uint16(b[0:]),
		DstPort: binary.BigEndian.Uint16(b[2:]),
		Seq:     binary.BigEndian.Uint32(b[4:]),
		Ack:     binary.BigEndian.Uint32(b[8:]),
		Flags:   b[13],
	}, nil
}
