package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
)

// engineIsLocal says whether the engine runs on this machine, so that its containers'
// bridge addresses are routable from the provider: a unix socket, or tcp to loopback.
func engineIsLocal(host string) bool {
	if strings.HasPrefix(host, "unix://") {
		return true
	}
	u, err := url.Parse(host)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// errNoAdminRoute says a remote engine's container cannot be checked.
var errNoAdminRoute = errors.New("no route to the admin API")

// adminReach is where the provider reaches the runtime's admin API (/healthz, /status)
// in the container described by info:
//   - on a local engine, the container's own address on its network;
//   - on a remote engine (tcp://host:2376) the bridge addresses are not routable from
//     here, so the admin port must be published: the engine's host and the published
//     port (or the publish address when it is a specific one).
func (p *placement) adminReach(info container.InspectResponse, cfg appliance.Config) (string, error) {
	host := p.engine.daemonHost()
	if engineIsLocal(host) {
		return adminTarget(containerIP(info), cfg), nil
	}
	port, err := adminPort(cfg)
	if err != nil {
		return "", err
	}
	var bindings []nat.PortBinding
	if info.HostConfig != nil {
		bindings = info.HostConfig.PortBindings[nat.Port(port+"/tcp")]
	}
	return publishedAdmin(host, port, bindings)
}

// adminReachListed is adminReach for an entry of a container list, which is all Observe
// has of each container: on a local engine the container's address (the one in state
// when the container still has it), on a remote one the published admin port.
func (p *placement) adminReachListed(c container.Summary, stateIP string, cfg appliance.Config) (string, error) {
	host := p.engine.daemonHost()
	if engineIsLocal(host) {
		ip := listedIP(c, stateIP)
		if ip == "" {
			return "", fmt.Errorf("%w: container %s has no address on a network", errNoAdminRoute, shortID(c.ID))
		}
		return adminTarget(ip, cfg), nil
	}
	port, err := adminPort(cfg)
	if err != nil {
		return "", err
	}
	return publishedAdmin(host, port, listedBindings(c, port))
}

// adminPort is the port of the runtime's admin API.
func adminPort(cfg appliance.Config) (string, error) {
	_, port, err := net.SplitHostPort(cfg.AdminListen())
	if err != nil {
		return "", fmt.Errorf("admin.listen %q: %w", cfg.AdminListen(), err)
	}
	return port, nil
}

// publishedAdmin finds, among the host bindings of the admin port, where a remote
// engine's host publishes it.
func publishedAdmin(engineHost, port string, bindings []nat.PortBinding) (string, error) {
	u, _ := url.Parse(engineHost)
	for _, b := range bindings {
		if b.HostPort == "" {
			continue
		}
		addr := u.Hostname()
		if ip := net.ParseIP(b.HostIP); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
			addr = b.HostIP
		} else if ip != nil && ip.IsLoopback() {
			return "", fmt.Errorf("%w: the engine %s is remote and its admin port %s is published on its loopback only: "+
				"set publish_address to an address of the engine's host that this machine can reach", errNoAdminRoute, engineHost, port)
		}
		return net.JoinHostPort(addr, b.HostPort), nil
	}
	return "", fmt.Errorf("%w: the engine %s is remote, so container addresses are not routable from here. "+
		"Publish the admin port so rampart can check /healthz, e.g. ports = { 19901 = %s } with publish_address = \"0.0.0.0\" "+
		"or an address of the engine's host", errNoAdminRoute, engineHost, port)
}

// listedBindings are the host bindings of a container's TCP port as a container list
// reports them (one entry per host address).
func listedBindings(c container.Summary, port string) []nat.PortBinding {
	var out []nat.PortBinding
	for _, p := range c.Ports {
		if strconv.Itoa(int(p.PrivatePort)) != port || p.PublicPort == 0 || (p.Type != "" && p.Type != "tcp") {
			continue
		}
		out = append(out, nat.PortBinding{HostIP: p.IP, HostPort: strconv.Itoa(int(p.PublicPort))})
	}
	return out
}

// listedIP is a listed container's address: stateIP when the container still has it,
// else its address on the network it was created on, else the first by network name.
func listedIP(c container.Summary, stateIP string) string {
	if c.NetworkSettings == nil {
		return ""
	}
	networks := c.NetworkSettings.Networks
	names := make([]string, 0, len(networks))
	for name, n := range networks {
		if n == nil || n.IPAddress == "" {
			continue
		}
		if stateIP != "" && n.IPAddress == stateIP {
			return stateIP
		}
		names = append(names, name)
	}
	if n := networks[c.HostConfig.NetworkMode]; n != nil && n.IPAddress != "" {
		return n.IPAddress
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	return networks[names[0]].IPAddress
}

// engineLost returns an error when the engine no longer answers: what failed during an
// apply was then the engine, not the appliance.
func engineLost(ctx context.Context, cli *client.Client) error {
	if _, err := cli.Ping(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("the Docker engine at %s stopped answering: %w", cli.DaemonHost(), err)
	}
	return nil
}

// engineErr rewrites the diagnostics of a failed step when the engine itself is gone, so
// the user reads what to do rather than a connection error deep in a sentence.
func engineErr(ctx context.Context, cli *client.Client, diags protocol.Diagnostics) protocol.Diagnostics {
	if !diags.HasErrors() {
		return diags
	}
	lost := engineLost(ctx, cli)
	if lost == nil {
		return diags
	}
	// Docker's own message may end in a question ("Is the docker daemon running?").
	reason := strings.TrimRight(lost.Error(), ".?! ")
	return protocol.Diagnostics{}.Errorf("Docker engine unavailable",
		"%s. Start it again and re-run apply: state holds what was finished, and a container this apply left half-created "+
			"carries the instance's labels, so the next apply removes it before creating the container again. (%v)", reason, diags.Err())
}
