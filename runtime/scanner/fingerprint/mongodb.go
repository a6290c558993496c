package fingerprint

import (
	"bytes"
	"encoding/binary"
)

// mongoBuildInfo is an OP_MSG (opcode 2013) running {buildInfo: 1, $db: "admin"}, which
// MongoDB answers without authentication with its version.
func mongoBuildInfo() []byte {
	var doc []byte
	doc = append(doc, 0x10) // int32
	doc = append(doc, "buildInfo\x00"...)
	doc = binary.LittleEndian.AppendUint32(doc, 1)
	doc = append(doc, 0x02) // string
	doc = append(doc, "$db\x00"...)
	doc = binary.LittleEndian.AppendUint32(doc, uint32(len("admin")+1))
	doc = append(doc, "admin\x00"...)
	doc = append(doc, 0)
	bson := binary.LittleEndian.AppendUint32(nil, uint32(4+len(doc)))
	bson = append(bson, doc...)

	body := binary.LittleEndian.AppendUint32(nil, 0) // flagBits
	body = append(body, 0)                           // section kind 0: body
	body = append(body, bson...)
	msg := binary.LittleEndian.AppendUint32(nil, uint32(16+len(body)))
	msg = binary.LittleEndian.AppendUint32(msg, 0x7261) // requestID
	msg = binary.LittleEndian.AppendUint32(msg, 0)      // responseTo
	msg = binary.LittleEndian.AppendUint32(msg, 2013)   // OP_MSG
	return append(msg, body...)
}

// MongoReply is the answer to mongoBuildInfo.
type MongoReply struct {
	Version string
	Error   string // errmsg, e.g. when buildInfo needs authentication on a hardened server
}

// ParseMongoReply reads an OP_MSG (or legacy OP_REPLY) answer and its top-level "version"
// and "errmsg" strings. ok is false when data is not a MongoDB reply.
func ParseMongoReply(data []byte) (reply MongoReply, ok bool) {
	if len(data) < 16 {
		return reply, false
	}
	n := int(binary.LittleEndian.Uint32(data))
	opcode := binary.LittleEndian.Uint32(data[12:])
	if n < 16 || n > 48<<20 || len(data) < n || binary.LittleEndian.Uint32(data[8:]) != 0x7261 {
		return reply, false
	}
	var doc []byte
	switch opcode {
	case 2013: // OP_MSG: flagBits, kind 0, document
		if n < 16+4+1+5 || data[20] != 0 {
			return reply, false
		}
		doc = data[21:n]
	case 1: // OP_REPLY: flags, cursorID, startingFrom, numberReturned, documents
		if n < 16+20+5 {
			return reply, false
		}
		doc = data[36:n]
	default:
		return reply, false
	}
	fields, ok := bsonStrings(doc)
	if !ok {
		return reply, false
	}
	reply.Version, reply.Error = fields["version"], fields["errmsg"]
	return reply, true
}

// bsonStrings reads the top-level string fields of a BSON document and skips the others.
// ok is false when the document is malformed.
func bsonStrings(doc []byte) (map[string]string, bool) {
	if len(doc) < 5 {
		return nil, false
	}
	size := int(binary.LittleEndian.Uint32(doc))
	if size < 5 || size > len(doc) {
		return nil, false
	}
	doc = doc[4 : size-1]
	out := map[string]string{}
	for len(doc) > 0 {
		typ := doc[0]
		name, rest, found := bytes.Cut(doc[1:], []byte{0})
		if !found {
			return nil, false
		}
		var skip int
		switch typ {
		case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
			skip = 8
		case 0x10: // int32
			skip = 4
		case 0x08: // bool
			skip = 1
		case 0x0A: // null
			skip = 0
		case 0x07: // ObjectId
			skip = 12
		case 0x02, 0x03, 0x04, 0x05: // string, document, array, binary: length-prefixed
			if len(rest) < 4 {
				return nil, false
			}
			l := int(binary.LittleEndian.Uint32(rest))
			switch typ {
			case 0x02:
				if l < 1 || 4+l > len(rest) {
					return nil, false
				}
				out[string(name)] = string(rest[4 : 4+l-1])
				skip = 4 + l
			case 0x05:
				skip = 4 + 1 + l
			default:
				skip = l
			}
			if l < 0 || skip < 0 {
				return nil, false
			}
		default:
			return out, true // a type we do not need to read past: keep what we have
		}
		if skip > len(rest) {
			return nil, false
		}
		doc = rest[skip:]
	}
	return out, true
}
