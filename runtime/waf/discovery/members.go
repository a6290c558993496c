package discovery

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// Target says which containers form a pool and how the WAF addresses them.
type Target struct {
	Image        string // normalised repository (NormalizeImage)
	NameContains string
	Port         int    // the port the containers serve on
	Network      string // the network whose IP is used; "" means the container's only (or first) one
}

// Member is one discovered upstream server.
type Member struct {
	Address   string // host:port the WAF proxies to
	Container string // container name
	Endpoint  string // the Docker endpoint it was found on
	Via       string // how Address was chosen: "network bridge", "published port", "host network"
}

// Skipped is a matching container that could not become a member, and why.
type Skipped struct {
	Container string
	Reason    string
}

// engineList is what one listing of one engine returned.
type engineList struct {
	Endpoint   docker.Endpoint
	Containers []docker.Container
	// ImageNames holds, per container ID, the names of its image when the list reported
	// the image by ID (its tag moved): RepoTags, RepoDigests and the reference the container
	// was created from.
	ImageNames map[string][]string
}

// selectMembers computes a pool's members from one engine's list. It does no I/O, so it is
// tested on recorded /containers/json answers.
func selectMembers(t Target, list engineList, reachable Reachable) (members []Member, skipped []Skipped) {
	for _, c := range list.Containers {
		if !t.matches(c, list.ImageNames[c.ID]) {
			continue
		}
		address, via, err := t.address(c, list.Endpoint, reachable)
		if err != nil {
			skipped = append(skipped, Skipped{Container: c.Name(), Reason: err.Error()})
			continue
		}
		members = append(members, Member{Address: address, Container: c.Name(), Endpoint: list.Endpoint.URL, Via: via})
	}
	slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.Address, b.Address) })
	return members, skipped
}

// matches: running, healthy or without a health check, image repository equal to the
// filter (tag ignored), name containing the filter.
func (t Target) matches(c docker.Container, resolvedNames []string) bool {
	if c.State != "running" {
		return false // paused, restarting, exited: no traffic
	}
	if strings.Contains(c.Status, "(unhealthy)") {
		return false // Docker's own health check says it cannot serve
	}
	if !strings.Contains(c.Name(), t.NameContains) {
		return false
	}
	for _, ref := range append([]string{c.Image}, resolvedNames...) {
		if !looksLikeImageID(ref) && NormalizeImage(ref) == t.Image {
			return true
		}
	}
	return false
}

// address picks how the WAF reaches the container: its IP on the network when the WAF can
// reach that network, otherwise the host port pool.port is published on.
func (t Target) address(c docker.Container, ep docker.Endpoint, reachable Reachable) (address, via string, err error) {
	port := strconv.Itoa(t.Port)
	name, attachment, onNetwork := t.network(c)
	if c.HostConfig.NetworkMode == "host" {
		// The container shares its host's network stack: it serves on the host itself.
		return net.JoinHostPort(ep.Host(), port), "host network", nil
	}
	if onNetwork {
		if ip := net.ParseIP(attachment.IPAddress); ip != nil && reachable(ep, ip) {
			return net.JoinHostPort(ip.String(), port), "network " + name, nil
		}
	}
	if host, public, ok := publishedPort(c, t.Port, ep); ok {
		return net.JoinHostPort(host, strconv.Itoa(public)), "published port", nil
	}
	switch {
	case t.Network != "" && !onNetwork:
		return "", "", fmt.Errorf("not attached to network %q and port %d/tcp is not published", t.Network, t.Port)
	case !onNetwork:
		return "", "", fmt.Errorf("has no network address and port %d/tcp is not published", t.Port)
	default:
		return "", "", fmt.Errorf("network %q is not reachable from the WAF and port %d/tcp is not published; publish it (-p %d) or attach the WAF to the network", name, t.Port, t.Port)
	}
}

// network returns the attachment to use: the configured network, else the container's only
// one, else the first by name (the API's JSON object has no meaningful order).
func (t Target) network(c docker.Container) (string, docker.ContainerNetwork, bool) {
	networks := c.NetworkSettings.Networks
	if t.Network != "" {
		n, ok := networks[t.Network]
		return t.Network, n, ok && n.IPAddress != ""
	}
	names := make([]string, 0, len(networks))
	for name, n := range networks {
		if n.IPAddress != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", docker.ContainerNetwork{}, false
	}
	slices.Sort(names)
	return names[0], networks[names[0]], true
}

// publishedPort finds where the engine's host publishes the container's TCP port. A
// binding on all addresses (0.0.0.0, ::) is reached at the engine's host; IPv4 bindings
// are preferred. A loopback binding of a remote engine is unreachable and skipped.
func publishedPort(c docker.Container, private int, ep docker.Endpoint) (host string, public int, ok bool) {
	var candidates []docker.Port
	for _, p := range c.Ports {
		if p.PrivatePort == private && p.PublicPort != 0 && (p.Type == "tcp" || p.Type == "") {
			candidates = append(candidates, p)
		}
	}
	slices.SortStableFunc(candidates, func(a, b docker.Port) int { return ipv6Rank(a.IP) - ipv6Rank(b.IP) })
	for _, p := range candidates {
		ip := net.ParseIP(p.IP)
		switch {
		case p.IP == "" || ip.IsUnspecified():
			return ep.Host(), p.PublicPort, true
		case ip.IsLoopback() && !ep.Local():
			continue
		default:
			return ip.String(), p.PublicPort, true
		}
	}
	return "", 0, false
}

// ipv6Rank is 1 for an IPv6 address, 0 otherwise: sorted ascending, IPv4 comes first.
func ipv6Rank(ip string) int {
	if strings.Contains(ip, ":") {
		return 1
	}
	return 0
}
