package fingerprint

import (
	"encoding/binary"
	"fmt"
)

// smbNegotiate is an SMB2 NEGOTIATE request ([MS-SMB2] 2.2.3) over direct TCP (445), offering
// dialects 2.0.2 to 3.0.2. 3.1.1 is left out: it requires negotiate contexts, and every server
// that speaks 3.1.1 also answers 3.0.2.
func smbNegotiate() []byte {
	dialects := []uint16{0x0202, 0x0210, 0x0300, 0x0302}
	header := make([]byte, 64)
	copy(header, "\xfeSMB")
	binary.LittleEndian.PutUint16(header[4:], 64) // StructureSize
	binary.LittleEndian.PutUint16(header[14:], 1) // CreditRequest
	body := make([]byte, 36)
	binary.LittleEndian.PutUint16(body[0:], 36) // StructureSize
	binary.LittleEndian.PutUint16(body[2:], uint16(len(dialects)))
	binary.LittleEndian.PutUint16(body[4:], 1) // SecurityMode: signing enabled
	copy(body[12:28], "rampart-scanner!")      // ClientGuid
	for _, d := range dialects {
		body = binary.LittleEndian.AppendUint16(body, d)
	}
	msg := append(header, body...)
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(msg))) // NetBIOS session message
	return append(frame, msg...)
}

// SMBReply is the server's NEGOTIATE response.
type SMBReply struct {
	Dialect         string // "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", or "1" for an SMB1-only answer
	SigningRequired bool
}

// ParseSMBReply reads a NetBIOS-framed SMB2 (or SMB1) NEGOTIATE response.
func ParseSMBReply(data []byte) (reply SMBReply, ok bool) {
	if len(data) < 4+4 || data[0] != 0 {
		return reply, false
	}
	msg := data[4:]
	if string(msg[:4]) == "\xffSMB" {
		reply.Dialect = "1"
		return reply, true
	}
	if string(msg[:4]) != "\xfeSMB" || len(msg) < 64+6 {
		return reply, false
	}
	body := msg[64:]
	if binary.LittleEndian.Uint16(body) != 65 {
		return reply, binary.LittleEndian.Uint16(msg[12:]) == 0 // an error answer to NEGOTIATE is still SMB2
	}
	reply.SigningRequired = body[2]&0x02 != 0
	d := binary.LittleEndian.Uint16(body[4:])
	switch d {
	case 0x0202:
		reply.Dialect = "2.0.2"
	case 0x0210:
		reply.Dialect = "2.1"
	case 0x0300:
		reply.Dialect = "3.0"
	case 0x0302:
		reply.Dialect = "3.0.2"
	case 0x0311:
		reply.Dialect = "3.1.1"
	default:
		reply.Dialect = fmt.Sprintf("0x%04x", d)
	}
	return reply, true
}
