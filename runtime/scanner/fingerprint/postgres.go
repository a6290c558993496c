package fingerprint

import (
	"encoding/binary"
	"strings"
)

// postgresStartup is a protocol 3.0 StartupMessage as user "postgres" to database "postgres":
// a server that trusts that login answers AuthenticationOk and tells its server_version;
// others answer with an authentication request or an error, which still names PostgreSQL.
func postgresStartup() []byte {
	var params []byte
	for _, kv := range []string{"user", "postgres", "database", "postgres", "application_name", "rampart-scanner"} {
		params = append(params, kv...)
		params = append(params, 0)
	}
	params = append(params, 0)
	msg := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
	msg = binary.BigEndian.AppendUint32(msg, 3<<16) // protocol 3.0
	return append(msg, params...)
}

// postgresTerminate ends a session politely after a trusted login.
var postgresTerminate = []byte{'X', 0, 0, 0, 4}

// PostgresReply is what the server answered to the startup message.
type PostgresReply struct {
	// Auth is "none" (AuthenticationOk without a password), "password", "md5", "scram-sha-256",
	// or "" when the server refused with an error.
	Auth    string
	Version string // server_version, only known after a login
	// Error is the ErrorResponse message, Code its SQLSTATE ("28000": no pg_hba.conf entry).
	Error, Code string
}

// ParsePostgresReply reads backend messages (RFC-like layout: type byte, int32 length,
// body). ok is false when data is not a PostgreSQL answer.
func ParsePostgresReply(data []byte) (reply PostgresReply, ok bool) {
	for len(data) >= 5 {
		typ := data[0]
		n := int(binary.BigEndian.Uint32(data[1:5]))
		if n < 4 || n > 1<<16 {
			return reply, ok
		}
		if len(data) < 1+n {
			return reply, ok // truncated: keep what we have
		}
		body := data[5 : 1+n]
		data = data[1+n:]
		switch typ {
		case 'R':
			if len(body) < 4 {
				return reply, false
			}
			switch binary.BigEndian.Uint32(body) {
			case 0:
				reply.Auth = "none"
			case 3:
				reply.Auth = "password"
			case 5:
				reply.Auth = "md5"
			case 10:
				reply.Auth = "scram-sha-256"
			default:
				reply.Auth = "other"
			}
			ok = true
		case 'S':
			name, value, _ := strings.Cut(string(body), "\x00")
			if name == "server_version" {
				reply.Version, _, _ = strings.Cut(value, "\x00")
				reply.Version, _, _ = strings.Cut(reply.Version, " ") // "16.4 (Debian 16.4-1)"
			}
		case 'E':
			fields := parsePostgresFields(body)
			if fields['S'] == "" && fields['M'] == "" {
				return reply, false
			}
			reply.Error, reply.Code = fields['M'], fields['C']
			return reply, true
		case 'K', 'Z', 'N':
			// BackendKeyData, ReadyForQuery, Notice: nothing we need
		default:
			return reply, ok
		}
	}
	return reply, ok
}

// parsePostgresFields reads the code-tagged NUL-terminated fields of an ErrorResponse.
func parsePostgresFields(body []byte) map[byte]string {
	out := map[byte]string{}
	for len(body) > 1 {
		code := body[0]
		value, rest, found := strings.Cut(string(body[1:]), "\x00")
		if !found {
			break
		}
		out[code] = value
		body = []byte(rest)
	}
	return out
}

// postgresComplete: an error, or ReadyForQuery after a login, ends what we read.
func postgresComplete(buf []byte) bool {
	for len(buf) >= 5 {
		n := int(binary.BigEndian.Uint32(buf[1:5]))
		if n < 4 || len(buf) < 1+n {
			return n < 4
		}
		switch buf[0] {
		case 'E', 'Z':
			return true
		case 'R':
			if n >= 8 && binary.BigEndian.Uint32(buf[5:9]) != 0 {
				return true // a password is asked for: nothing more comes
			}
		}
		buf = buf[1+n:]
	}
	return false
}
