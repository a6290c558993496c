package main

import "fmt"

// setup is what both proxies are configured with, so that they are configured alike:
// the same allowed destination and ports, the same host mapping, the same memory cache
// and the same CAs.
type setup struct {
	Dir string // the system's own directory in the run's work directory

	// Ports both proxies listen on (127.0.0.1).
	ProxyPort int // forward proxy: tunnels and plain HTTP (rampart: proxy port; Squid: http_port)
	CachePort int // interception (rampart: cache port; Squid: http_port ssl-bump)
	AdminPort int // rampart-gateway's admin API only

	// The origin: originHost maps to 127.0.0.1 on both.
	OriginHTTPPort, OriginTLSPort int

	// PEM files and texts of the run's PKI.
	Files pkiFiles
	PKI   *pki

	// CacheMiB is the memory cache size; MaxObjectMiB the largest object kept in memory.
	CacheMiB, MaxObjectMiB int
	// MaxFDs is the open-file limit each proxy is told to use.
	MaxFDs int
}

// Defaults of the memory cache, the same for both proxies: large enough for the 1 MB
// object many times over, small enough to be a realistic appliance share.
const (
	defaultCacheMiB     = 256
	defaultMaxObjectMiB = 64
	defaultMaxFDs       = 16384
)

func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
