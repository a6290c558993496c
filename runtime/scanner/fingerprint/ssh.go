package fingerprint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
)

// sshClientBanner is what we send so the server follows its banner with KEXINIT.
const sshClientBanner = "SSH-2.0-rampart_scanner\r\n"

// maxSSHPacket bounds the KEXINIT packet we accept (RFC 4253 §6.1 requires 35000).
const maxSSHPacket = 35000

// ParseSSHBanner reads "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" into product and version.
// ok is false when line is not an SSH identification string.
func ParseSSHBanner(line string) (product, version string, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "SSH-") {
		return "", "", false
	}
	rest := line[len("SSH-"):]
	protoVersion, software, found := strings.Cut(rest, "-")
	if !found || (protoVersion != "2.0" && protoVersion != "1.99" && protoVersion != "1.5") {
		return "", "", false
	}
	software, _, _ = strings.Cut(software, " ") // drop comments ("Debian-2+deb12u3")
	name, ver, found := strings.Cut(software, "_")
	if !found {
		return software, "", true
	}
	switch strings.ToLower(name) {
	case "openssh":
		name = "OpenSSH"
	case "dropbear":
		name = "Dropbear"
	}
	return name, ver, true
}

// ParseKexInit reads the server's first binary packet, which must be SSH_MSG_KEXINIT
// (RFC 4253 §7.1), and returns its algorithm lists.
func ParseKexInit(packet []byte) (*SSHInfo, error) {
	if len(packet) < 5 {
		return nil, errors.New("ssh: short packet")
	}
	length := binary.BigEndian.Uint32(packet)
	padding := int(packet[4])
	if length > maxSSHPacket || int(length)+4 > len(packet) || padding+1 > int(length) {
		return nil, errors.New("ssh: bad packet length")
	}
	payload := packet[5 : 4+int(length)-padding]
	if len(payload) < 17 || payload[0] != 20 {
		return nil, errors.New("ssh: first packet is not KEXINIT")
	}
	rest := payload[17:] // message type and 16-byte cookie
	var lists [10][]string
	for i := range lists {
		if len(rest) < 4 {
			return nil, errors.New("ssh: KEXINIT truncated")
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-4) {
			return nil, errors.New("ssh: KEXINIT name-list overruns the packet")
		}
		if n > 0 {
			lists[i] = strings.Split(string(rest[4:4+n]), ",")
		}
		rest = rest[4+n:]
	}
	return &SSHInfo{
		KexAlgorithms: lists[0],
		HostKeyAlgs:   lists[1],
		Ciphers:       lists[3],
		MACs:          lists[5],
		Compression:   lists[7],
	}, nil
}

// sshPacketComplete says whether buf holds the whole first binary packet.
func sshPacketComplete(buf []byte) bool {
	if len(buf) < 4 {
		return false
	}
	n := binary.BigEndian.Uint32(buf)
	return n > maxSSHPacket || len(buf) >= int(n)+4
}

// splitSSHBanner separates the identification line from what follows it. Servers may send
// other lines before it (RFC 4253 §4.2); those are skipped.
func splitSSHBanner(data []byte) (banner string, rest []byte, ok bool) {
	for len(data) > 0 {
		line, after, found := bytes.Cut(data, []byte("\n"))
		if !found {
			return "", nil, false
		}
		if bytes.HasPrefix(line, []byte("SSH-")) {
			return string(bytes.TrimRight(line, "\r")), after, true
		}
		data = after
	}
	return "", nil, false
}
