// Package cache is the cache port's in-memory object cache: responses kept by URL and
// Vary'd request headers, LRU by bytes, fresh as Cache-Control, Expires and the typed
// refresh rules say, and filled by collapsed forwarding (one origin fetch however many
// clients ask, late joiners stream what has arrived).
package cache

import (
	"strconv"
	"strings"
	"time"
)

// CacheControl is the parsed Cache-Control of a request or response. Unknown directives
// are ignored, as RFC 9111 asks.
type CacheControl struct {
	NoStore, NoCache, Private, Public, MustRevalidate, ProxyRevalidate, OnlyIfCached bool
	MaxAge, SMaxAge                                                                  time.Duration
	HasMaxAge, HasSMaxAge                                                            bool
}

// maxDelta caps delta-seconds: RFC 9111 §1.2.2 says a larger value means "2^31 seconds".
const maxDelta = 1<<31 - 1

// ParseCacheControl parses every Cache-Control field value given (a header may repeat).
func ParseCacheControl(values []string) CacheControl {
	var cc CacheControl
	for _, v := range values {
		for len(v) > 0 {
			var part string
			part, v = nextDirective(v)
			name, arg, _ := strings.Cut(part, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			arg = strings.Trim(strings.TrimSpace(arg), `"`)
			switch name {
			case "no-store":
				cc.NoStore = true
			case "no-cache":
				// no-cache="field" only forbids sending that field unvalidated; treating it as
				// plain no-cache is the safe reading.
				cc.NoCache = true
			case "private":
				cc.Private = true
			case "public":
				cc.Public = true
			case "must-revalidate":
				cc.MustRevalidate = true
			case "proxy-revalidate":
				cc.ProxyRevalidate = true
			case "only-if-cached":
				cc.OnlyIfCached = true
			case "max-age":
				if d, ok := parseDelta(arg); ok {
					cc.MaxAge, cc.HasMaxAge = d, true
				} else {
					// An invalid max-age makes the response stale (RFC 9111 §4.2.1).
					cc.MaxAge, cc.HasMaxAge = 0, true
				}
			case "s-maxage":
				if d, ok := parseDelta(arg); ok {
					cc.SMaxAge, cc.HasSMaxAge = d, true
				} else {
					cc.SMaxAge, cc.HasSMaxAge = 0, true
				}
			}
		}
	}
	return cc
}

// nextDirective splits off the first comma-separated directive, keeping commas inside
// quoted strings (private="a, b").
func nextDirective(v string) (part, rest string) {
	inQuote := false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case '\\':
			if inQuote {
				i++
			}
		case ',':
			if !inQuote {
				return v[:i], v[i+1:]
			}
		}
	}
	return v, ""
}

func parseDelta(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxDelta {
		n = maxDelta // overflowing digits are still a valid, very large delta
	}
	return time.Duration(n) * time.Second, true
}
