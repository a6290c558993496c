package discovery

import (
	"net"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// Reachable decides whether the WAF can connect to a container's IP directly. When it
// cannot ("mixed deployment": the WAF runs outside the containers' network, e.g. on
// another host), the container's published host port is used instead.
type Reachable func(ep docker.Endpoint, ip net.IP) bool

// ReachableByInterface is the default rule: the container IP is used when the engine runs
// on this machine (unix socket, or tcp to one of this machine's addresses) and the WAF has
// a network interface whose subnet holds the IP — as on a Docker host (docker0 holds
// 172.17.0.1/16) or for a WAF container attached to the same network.
//
// It is decided from interface addresses rather than by trying a TCP connection: it sends
// no traffic, costs one system call, and does not flap while a freshly started container
// has not bound its port yet. Engines on other hosts always use published ports, because
// their bridge subnets may coincide with a local one (every engine's default bridge is
// 172.17.0.0/16) and the local interface would then be the wrong network.
func ReachableByInterface(ep docker.Endpoint, ip net.IP) bool {
	if !ep.Local() {
		return false
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.Contains(ip) {
			return true
		}
	}
	return false
}
