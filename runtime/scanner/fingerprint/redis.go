package fingerprint

import (
	"bytes"
	"strconv"
	"strings"
)

// redisInfoCommand asks for the server section of INFO, as a RESP array.
var redisInfoCommand = []byte("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")

// RedisReply is what a Redis-protocol server said to INFO.
type RedisReply struct {
	Version string // redis_version, or valkey_version for Valkey
	Product string // "Redis" or "Valkey"
	// AuthRequired: the server answered NOAUTH (or protected mode refused us).
	AuthRequired bool
	Error        string
}

// ParseRedisReply reads the answer to redisInfoCommand. ok is false when data is not RESP
// from a Redis-like server.
func ParseRedisReply(data []byte) (reply RedisReply, ok bool) {
	reply.Product = "Redis"
	switch {
	case bytes.HasPrefix(data, []byte("-NOAUTH")), bytes.HasPrefix(data, []byte("-DENIED")),
		bytes.HasPrefix(data, []byte("-ERR operation not permitted")), bytes.HasPrefix(data, []byte("-WRONGPASS")):
		reply.AuthRequired = true
		reply.Error = firstLine(data[1:])
		return reply, true
	case bytes.HasPrefix(data, []byte("$")):
		header, body, found := bytes.Cut(data, []byte("\r\n"))
		if !found {
			return reply, false
		}
		if n, err := strconv.Atoi(string(header[1:])); err != nil || n < 0 {
			return reply, false
		}
		info := parseRedisInfo(body)
		if v := info["valkey_version"]; v != "" {
			reply.Product, reply.Version = "Valkey", v
			return reply, true
		}
		reply.Version = info["redis_version"]
		return reply, reply.Version != "" || bytes.Contains(body, []byte("# Server"))
	}
	return reply, false
}

// parseRedisInfo reads "key:value" lines of an INFO answer.
func parseRedisInfo(body []byte) map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(string(body), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}

// redisComplete says whether buf holds a whole reply (error line, or bulk string of its length).
func redisComplete(buf []byte) bool {
	header, body, found := bytes.Cut(buf, []byte("\r\n"))
	if !found {
		return false
	}
	if len(header) == 0 || header[0] != '$' {
		return true
	}
	n, err := strconv.Atoi(string(header[1:]))
	return err != nil || len(body) >= n+2
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(line))
}
