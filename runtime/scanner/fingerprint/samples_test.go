package fingerprint

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
)

// Answers of servers we cannot run on this machine, laid out byte for byte as the protocol
// documents them and as the real servers send them (versions from real deployments).

// mysqlGreeting builds a HandshakeV10 packet as MySQL and MariaDB send it on connect.
func mysqlGreeting(version string) []byte {
	payload := []byte{10}
	payload = append(payload, version...)
	payload = append(payload, 0)
	payload = binary.LittleEndian.AppendUint32(payload, 42)                      // connection id
	payload = append(payload, "abcdefgh"...)                                     // auth-plugin-data part 1
	payload = append(payload, 0, 0xff, 0xf7, 0x2d, 0x02, 0x00, 0xff, 0x81, 0x15) // filler, caps, charset, status, caps
	payload = append(payload, make([]byte, 10)...)
	payload = append(payload, "ijklmnopqrst\x00mysql_native_password\x00"...)
	header := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), 0}
	return append(header, payload...)
}

// mysqlRefusal is the ERR packet a server sends to a host it does not accept.
func mysqlRefusal() []byte {
	msg := "Host '10.0.0.5' is not allowed to connect to this MySQL server"
	payload := append([]byte{0xff, 0x6a, 0x04}, msg...)
	return append([]byte{byte(len(payload)), 0, 0, 0}, payload...)
}

// mongoReply builds an OP_MSG answer to our buildInfo request.
func mongoReply(version string) []byte {
	var doc []byte
	doc = append(doc, 0x02)
	doc = append(doc, "version\x00"...)
	doc = binary.LittleEndian.AppendUint32(doc, uint32(len(version)+1))
	doc = append(doc, version...)
	doc = append(doc, 0)
	doc = append(doc, 0x04) // versionArray: [7, 0, 12, 0]
	doc = append(doc, "versionArray\x00"...)
	arr := []byte{}
	for i, n := range []uint32{7, 0, 12, 0} {
		arr = append(arr, 0x10, byte('0'+i), 0)
		arr = binary.LittleEndian.AppendUint32(arr, n)
	}
	arrDoc := binary.LittleEndian.AppendUint32(nil, uint32(4+len(arr)+1))
	arrDoc = append(append(arrDoc, arr...), 0)
	doc = append(doc, arrDoc...)
	doc = append(doc, 0x01)
	doc = append(doc, "ok\x00"...)
	doc = binary.LittleEndian.AppendUint64(doc, 0x3ff0000000000000) // 1.0
	bson := binary.LittleEndian.AppendUint32(nil, uint32(4+len(doc)+1))
	bson = append(append(bson, doc...), 0)
	body := append([]byte{0, 0, 0, 0, 0}, bson...)
	msg := binary.LittleEndian.AppendUint32(nil, uint32(16+len(body)))
	msg = binary.LittleEndian.AppendUint32(msg, 99)     // requestID
	msg = binary.LittleEndian.AppendUint32(msg, 0x7261) // responseTo: our request
	msg = binary.LittleEndian.AppendUint32(msg, 2013)
	return append(msg, body...)
}

// rdpConfirm is an X.224 Connection Confirm selecting CredSSP (NLA), as Windows sends it.
var rdpConfirm = mustHex("030000130ed000001234000209080002000000")

// rdpConfirmTLS selects TLS without NLA.
var rdpConfirmTLS = mustHex("030000130ed000001234000201080001000000")

// smbNegotiateResponse is an SMB2 NEGOTIATE response selecting 3.0.2 with signing required.
func smbNegotiateResponse(dialect uint16) []byte {
	header := make([]byte, 64)
	copy(header, "\xfeSMB")
	binary.LittleEndian.PutUint16(header[4:], 64)
	binary.LittleEndian.PutUint16(header[14:], 1)
	header[16] = 1 // SERVER_TO_REDIR
	body := make([]byte, 64)
	binary.LittleEndian.PutUint16(body, 65)
	body[2] = 0x03 // signing enabled | required
	binary.LittleEndian.PutUint16(body[4:], dialect)
	msg := append(header, body...)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(msg))), msg...)
}

// dnsVersionAnswer is a BIND answer to version.bind CH TXT.
func dnsVersionAnswer(version string) []byte {
	query := dnsVersionQuery()[2:]
	msg := append([]byte{}, query...)
	msg[2], msg[3] = 0x85, 0x80 // response, authoritative, RD, RA
	msg[7] = 1                  // one answer
	msg = append(msg, 0xc0, 0x0c, 0, 16, 0, 3, 0, 0, 0, 0)
	rdata := append([]byte{byte(len(version))}, version...)
	msg = binary.BigEndian.AppendUint16(msg, uint16(len(rdata)))
	msg = append(msg, rdata...)
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
}

// kexInitPacket builds the server's KEXINIT binary packet with the given lists.
func kexInitPacket(kex, hostKey, ciphers, macs string) []byte {
	payload := []byte{20}
	payload = append(payload, "0123456789abcdef"...)
	for _, list := range []string{kex, hostKey, ciphers, ciphers, macs, macs, "none,zlib@openssh.com", "none,zlib@openssh.com", "", ""} {
		payload = binary.BigEndian.AppendUint32(payload, uint32(len(list)))
		payload = append(payload, list...)
	}
	payload = append(payload, 0, 0, 0, 0, 0)
	padding := 8 - (len(payload)+5)%8
	if padding < 4 {
		padding += 8
	}
	packet := binary.BigEndian.AppendUint32(nil, uint32(len(payload)+padding+1))
	packet = append(packet, byte(padding))
	packet = append(packet, payload...)
	return append(packet, make([]byte, padding)...)
}

const openSSHKex = "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"

// redisInfoAnswer is the start of Redis 7's INFO server answer.
var redisInfoAnswer = func() []byte {
	body := strings.Join([]string{"# Server", "redis_version:7.2.4", "redis_git_sha1:00000000", "redis_mode:standalone", "os:Linux 6.1.0-18-amd64 x86_64", "tcp_port:6379", ""}, "\r\n")
	return []byte("$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n")
}()

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
