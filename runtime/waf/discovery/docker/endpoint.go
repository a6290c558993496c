package docker

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint is where a Docker engine listens: a unix socket on this host or a TCP address.
type Endpoint struct {
	// URL is the endpoint as configured, e.g. unix:///var/run/docker.sock or tcp://10.0.0.5:2376.
	URL string
	// Network is "unix" or "tcp"; Address is the socket path or host:port.
	Network string
	Address string
}

// Default ports of the Docker engine on TCP: 2375 plain, 2376 TLS.
const (
	plainPort = "2375"
	tlsPort   = "2376"
)

// ParseEndpoint reads unix:///path or tcp://host[:port]. A tcp endpoint without a port gets
// 2376 when withTLS is set and 2375 otherwise, as the docker CLI does.
func ParseEndpoint(raw string, withTLS bool) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker endpoint %q: %w", raw, err)
	}
	switch u.Scheme {
	case "unix":
		if u.Path == "" {
			return Endpoint{}, fmt.Errorf("docker endpoint %q: name the socket, e.g. unix:///var/run/docker.sock", raw)
		}
		return Endpoint{URL: raw, Network: "unix", Address: u.Path}, nil
	case "tcp":
		if u.Hostname() == "" {
			return Endpoint{}, fmt.Errorf("docker endpoint %q: name the host, e.g. tcp://10.0.0.5:2376", raw)
		}
		port := u.Port()
		if port == "" {
			port = plainPort
			if withTLS {
				port = tlsPort
			}
		}
		return Endpoint{URL: raw, Network: "tcp", Address: net.JoinHostPort(u.Hostname(), port)}, nil
	default:
		return Endpoint{}, fmt.Errorf("docker endpoint %q: use unix:///path/to/docker.sock or tcp://host:port", raw)
	}
}

// Host is the address at which ports the engine publishes are reached: the TCP endpoint's
// host, or 127.0.0.1 for a unix socket (the engine runs on this machine).
func (e Endpoint) Host() string {
	if e.Network == "unix" {
		return "127.0.0.1"
	}
	host, _, err := net.SplitHostPort(e.Address)
	if err != nil {
		return e.Address
	}
	return host
}

// Local reports whether the engine runs on this machine: a unix socket, or a TCP endpoint
// on a loopback address or one of this machine's own addresses.
func (e Endpoint) Local() bool {
	if e.Network == "unix" {
		return true
	}
	host := e.Host()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

func (e Endpoint) String() string { return e.URL }
