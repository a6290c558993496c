package fingerprint

import (
	"encoding/binary"
	"fmt"
)

// rdpConnectionRequest is an X.224 Connection Request (TPKT) carrying RDP_NEG_REQ for
// TLS and CredSSP ([MS-RDPBCGR] 2.2.1.1).
var rdpConnectionRequest = []byte{
	0x03, 0x00, 0x00, 0x13, // TPKT version 3, length 19
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL | PROTOCOL_HYBRID
}

// RDPReply is the server's X.224 Connection Confirm.
type RDPReply struct {
	// Security is what the server selected: "rdp", "tls", "credssp" (NLA), "rdstls", or
	// "failure:<code>" when it refused our offer.
	Security string
}

// ParseRDPReply reads a TPKT/X.224 Connection Confirm. ok is false when data is not one.
func ParseRDPReply(data []byte) (reply RDPReply, ok bool) {
	if len(data) < 11 || data[0] != 0x03 || data[1] != 0x00 {
		return reply, false
	}
	n := int(binary.BigEndian.Uint16(data[2:]))
	if n < 11 || len(data) < n || data[5]&0xf0 != 0xd0 { // CC TPDU
		return reply, false
	}
	reply.Security = "rdp"
	if n >= 19 {
		neg := data[11:19]
		code := binary.LittleEndian.Uint32(neg[4:])
		switch neg[0] {
		case 0x02: // RDP_NEG_RSP
			switch code {
			case 1:
				reply.Security = "tls"
			case 2, 8 | 2:
				reply.Security = "credssp"
			case 4:
				reply.Security = "rdstls"
			}
		case 0x03: // RDP_NEG_FAILURE
			reply.Security = fmt.Sprintf("failure:%d", code)
		}
	}
	return reply, true
}
