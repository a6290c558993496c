package findings

import (
	"net/netip"
	"strings"
)

// splitEndpoint parses "ip", "ip:port" or "[v6]:port" into the address text and port; it
// returns "" for anything else (a domain, "*:22").
func splitEndpoint(s string) (addr string, port int) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String(), int(ap.Port())
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.String(), 0
	}
	return "", 0
}
