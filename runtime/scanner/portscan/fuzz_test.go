package portscan

import "testing"

// The raw socket receives every TCP segment and ICMP message that reaches the host: the
// parsers must survive anything.
func FuzzParseTCPReply(f *testing.F) {
	f.Add([]byte{0x01, 0xbb, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0x30, 0x3a, 0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x04})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseTCPReply(b)
		if err == nil && len(b) < 20 {
			t.Fatalf("accepted %d bytes as a TCP header: %+v", len(b), r)
		}
	})
}

func FuzzParseEchoReply(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0x12, 0x34, 0, 1, 'r', 'a', 'm', 'p'})
	f.Add([]byte{8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, seq, ok := parseEchoReply(b)
		if ok && (len(b) < 8 || b[0] != 0) {
			t.Fatalf("accepted a non-reply: id %d seq %d", id, seq)
		}
	})
}
