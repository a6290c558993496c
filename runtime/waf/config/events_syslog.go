package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// SyslogTarget is a parsed events.syslog address (or WAF_SEM_SYSLOG_ADDR).
type SyslogTarget struct {
	// Network is "udp" (RFC 5426), "tcp" (RFC 6587 octet counting) or "tls" (RFC 5425).
	Network string
	// Address is host:port; the port defaults to 514 (udp, tcp) or 6514 (tls).
	Address string
	// CAFile, from "?ca_file=/path/ca.pem" on a tls:// address, is the PEM bundle that
	// verifies the syslog server instead of the system roots.
	CAFile string
}

// Default syslog ports (IANA).
const (
	DefaultSyslogPort    = "514"
	DefaultSyslogTLSPort = "6514"
)

// ParseSyslogTarget parses "udp://host:port", "tcp://host:port" or "tls://host:port".
func ParseSyslogTarget(addr string) (SyslogTarget, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return SyslogTarget{}, fmt.Errorf("%q is not a syslog address: write udp://host:514, tcp://host:514 or tls://host:6514", addr)
	}
	t := SyslogTarget{Network: strings.ToLower(u.Scheme)}
	port := DefaultSyslogPort
	switch t.Network {
	case "udp", "tcp":
	case "tls":
		port = DefaultSyslogTLSPort
	default:
		return SyslogTarget{}, fmt.Errorf("%q: scheme %q is not one of udp, tcp, tls", addr, u.Scheme)
	}
	host := u.Hostname()
	if u.Port() != "" {
		port = u.Port()
	}
	if host == "" {
		return SyslogTarget{}, fmt.Errorf("%q: missing host", addr)
	}
	t.Address = net.JoinHostPort(host, port)
	query := u.Query()
	for key := range query {
		if key != "ca_file" || t.Network != "tls" {
			return SyslogTarget{}, fmt.Errorf("%q: unknown option %q (only tls:// accepts ca_file)", addr, key)
		}
	}
	t.CAFile = query.Get("ca_file")
	if u.Path != "" && u.Path != "/" {
		return SyslogTarget{}, fmt.Errorf("%q: a syslog address has no path", addr)
	}
	return t, nil
}

// validateEvents checks events.syslog at plan time, with the parser the runtime uses.
func validateEvents(c *Config, bad func(path, format string, args ...any)) {
	if c.Events == nil || c.Events.Syslog == "" {
		return
	}
	if _, err := ParseSyslogTarget(c.Events.Syslog); err != nil {
		bad("events.syslog", "%s", err.Error())
	}
}
