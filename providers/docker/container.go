package docker

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
	"github.com/docker/go-units"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// dockerSocket is bind-mounted read-only when dockerd_socket is set.
const dockerSocket = "/var/run/docker.sock"

// containerSpec is everything ContainerCreate needs for one instance.
type containerSpec struct {
	name       string
	config     *container.Config
	hostConfig *container.HostConfig
	networking *network.NetworkingConfig
	networks   []string // every network it joins, the one it is created on first
}

// buildSpec turns the placement block and the rendered configuration into a container
// specification: read-only root filesystem, every capability dropped (NET_BIND_SERVICE
// added back only for ports below 1024), non-root user for built images, no new
// privileges.
func (p *placement) buildSpec(inst protocol.Instance, kind appliance.Kind, ref string, builtImage bool, pl cty.Value, rendered runtimes.RenderedConfig) (containerSpec, protocol.Diagnostics) {
	var diags protocol.Diagnostics
	plain, _ := pl.UnmarkDeep()
	env, err := stringMap(shape.Attr(plain, attrEnv))
	if err != nil {
		return containerSpec{}, diags.FromErr("invalid env", err)
	}
	envList := make([]string, 0, len(env))
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	publish := shape.String(plain, attrPublishAddress)
	if publish == "" {
		publish = defaultPublishAddress
	}
	exposed, bindings, err := portBindings(shape.Attr(plain, attrPorts), publish)
	if err != nil {
		return containerSpec{}, diags.FromErr("invalid ports", err)
	}
	var resources container.Resources
	if mem := shape.String(plain, attrMemory); mem != "" {
		n, err := units.RAMInBytes(mem)
		if err != nil {
			return containerSpec{}, diags.FromErr("invalid memory", fmt.Errorf("memory = %q: %w; write it like 512M or 2G", mem, err))
		}
		resources.Memory = n
	}
	if swap := shape.String(plain, attrMemorySwap); swap != "" {
		n, err := memorySwapBytes(swap)
		if err != nil {
			return containerSpec{}, diags.FromErr("invalid memory_swap", err)
		}
		resources.MemorySwap = n
	}
	resources.NanoCPUs = nanoCPUs(shape.Attr(plain, attrCPUs))
	if pids := shape.Attr(plain, attrPidsLimit); !pids.IsNull() && pids.IsKnown() {
		n, acc := pids.AsBigFloat().Int64()
		if acc != big.Exact || n < 1 {
			return containerSpec{}, diags.Errorf("invalid pids_limit", "pids_limit = %s: write a whole number of processes, 1 or more.", pids.AsBigFloat().String())
		}
		resources.PidsLimit = &n
	}
	capabilities, capDiags := capAdd(plain)
	if capDiags.HasErrors() {
		return containerSpec{}, capDiags
	}
	restart := shape.String(plain, attrRestart)
	if restart == "" {
		restart = defaultRestart
	}

	hostConfig := &container.HostConfig{
		ReadonlyRootfs: true,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		PortBindings:   bindings,
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(restart)},
		Resources:      resources,
		// Runtimes may need scratch space; the root filesystem stays read-only.
		Tmpfs: map[string]string{"/tmp": "rw,noexec,nosuid,size=64m"},
	}
	hostConfig.CapAdd = capabilities
	if needsLowPorts(rendered.Parsed) && !slices.Contains(capabilities, "NET_BIND_SERVICE") {
		hostConfig.CapAdd = append(hostConfig.CapAdd, "NET_BIND_SERVICE")
	}
	if v := shape.Attr(plain, attrDockerdSocket); !v.IsNull() && v.IsKnown() && v.True() {
		hostConfig.Binds = append(hostConfig.Binds, dockerSocket+":"+dockerSocket+":ro")
		// The runtime runs as nobody; the socket is root:docker 0660.
		if gid, ok := socketGroup(p.engine.daemonHost()); ok {
			hostConfig.GroupAdd = append(hostConfig.GroupAdd, gid)
		}
	}
	mounts, mountDiags := volumeMounts(plain)
	if mountDiags.HasErrors() {
		return containerSpec{}, mountDiags
	}
	hostConfig.Mounts = mounts
	var networking *network.NetworkingConfig
	networks := containerNetworks(plain)
	if len(networks) > 0 {
		// A container is created on one network; connect joins the others before start.
		hostConfig.NetworkMode = container.NetworkMode(networks[0])
		networking = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{networks[0]: {}}}
	}
	config := &container.Config{
		Image:        ref,
		Cmd:          []string{"/" + kind.Binary, "-config", containerConfigFile},
		Env:          envList,
		Labels:       p.labels(inst),
		ExposedPorts: exposed,
		// An anonymous volume: writable by the archive API although the root
		// filesystem is read-only; removed with the container.
		Volumes: map[string]struct{}{containerConfigDir: {}},
	}
	if builtImage {
		config.User = runtimeUser
		// Docker's own health check is the runtime's /healthz, asked by the runtime
		// binary itself (the image has no shell or curl); docker ps and remote engines
		// see it.
		config.Healthcheck = &container.HealthConfig{
			Test:        []string{"CMD", "/" + kind.Binary, "-config", containerConfigFile, "-healthcheck"},
			Interval:    healthcheckInterval,
			Timeout:     5 * time.Second,
			StartPeriod: 30 * time.Second,
			Retries:     3,
		}
	}
	return containerSpec{name: containerName(inst), config: config, hostConfig: hostConfig, networking: networking, networks: networks}, nil
}

// healthcheckInterval is how often Docker runs the runtime's health check: Docker's own
// default. Each check is an exec in the container (runc and a process start), about
// 65 ms of the engine host's CPU whatever the runtime does: 200 appliances checked every
// 10 s kept 1.3 of a 2-core host's cores busy. rampart waits for /healthz itself and
// only shows Docker's verdict in `rampart status`, so a slower check costs nothing else.
const healthcheckInterval = 30 * time.Second

// memorySwapBytes reads memory_swap: a size like memory, or -1 for unlimited swap.
func memorySwapBytes(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil {
		return 0, fmt.Errorf("memory_swap = %q: %w; write it like 1G, or -1 for unlimited swap", s, err)
	}
	return n, nil
}

// portBindings turns ports (host port = container port) into Docker's structures.
func portBindings(ports cty.Value, hostIP string) (nat.PortSet, nat.PortMap, error) {
	if ports.IsNull() || !ports.IsKnown() {
		return nil, nil, nil
	}
	exposed := nat.PortSet{}
	bindings := nat.PortMap{}
	for it := ports.ElementIterator(); it.Next(); {
		k, v := it.Element()
		hostPort, err := strconv.Atoi(k.AsString())
		if err != nil || hostPort < 1 || hostPort > 65535 {
			return nil, nil, fmt.Errorf("host port %q is not a port number", k.AsString())
		}
		bf := v.AsBigFloat()
		containerPort, acc := bf.Int64()
		if acc != big.Exact || containerPort < 1 || containerPort > 65535 {
			return nil, nil, fmt.Errorf("container port %s is not a port number", bf.String())
		}
		port := nat.Port(strconv.FormatInt(containerPort, 10) + "/tcp")
		exposed[port] = struct{}{}
		bindings[port] = append(bindings[port], nat.PortBinding{HostIP: hostIP, HostPort: strconv.Itoa(hostPort)})
	}
	return exposed, bindings, nil
}

// needsLowPorts says whether the runtime listens on a port below 1024, which a non-root
// process may bind only with NET_BIND_SERVICE.
func needsLowPorts(cfg appliance.Config) bool {
	if cfg == nil {
		return false
	}
	for _, addr := range []string{cfg.AdminListen(), cfg.ServiceAddress()} {
		if u, err := url.Parse(addr); err == nil && u.Host != "" {
			addr = u.Host
		}
		if _, port, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 1024 {
				return true
			}
		}
	}
	return false
}

// stringMap converts a map(string) value to a Go map; nulls are skipped.
func stringMap(v cty.Value) (map[string]string, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, fmt.Errorf("every value must be known at apply time")
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		if !val.IsNull() {
			out[k.AsString()] = val.AsString()
		}
	}
	return out, nil
}

// containerIP is the container's address on the network it was created on (its
// NetworkMode), else the first address it has.
func containerIP(info container.InspectResponse) string {
	if info.NetworkSettings == nil {
		return ""
	}
	if info.HostConfig != nil {
		if ep := info.NetworkSettings.Networks[string(info.HostConfig.NetworkMode)]; ep != nil && ep.IPAddress != "" {
			return ep.IPAddress
		}
	}
	for _, ep := range info.NetworkSettings.Networks {
		if ep != nil && ep.IPAddress != "" {
			return ep.IPAddress
		}
	}
	return ""
}

// adminTarget is how the provider reaches the runtime's admin API: the container's IP
// on its network and the admin port. The admin API is not published; the provider
// must therefore run where the container network is routable (the engine's own host).
func adminTarget(ip string, cfg appliance.Config) string {
	_, port, err := net.SplitHostPort(cfg.AdminListen())
	if err != nil {
		return ""
	}
	return net.JoinHostPort(ip, port)
}

// checkAdminListen requires the admin API to listen on every interface of the container:
// loopback inside a container is out of the provider's reach.
func checkAdminListen(cfg appliance.Config) protocol.Diagnostics {
	host, _, err := net.SplitHostPort(cfg.AdminListen())
	ip := net.ParseIP(host)
	if err == nil && (host == "" || ip != nil && ip.IsUnspecified()) {
		return nil
	}
	return protocol.Diagnostics{{
		Severity: protocol.Error,
		Summary:  "admin API unreachable in a container",
		Detail: fmt.Sprintf("admin.listen is %q; in a docker placement set admin { listen = \"0.0.0.0:9901\" } "+
			"so rampart can check /healthz through the container's address (the port is not published).", cfg.AdminListen()),
		Attribute: cty.GetAttrPath("runtime").GetAttr("admin").GetAttr("listen"),
	}}
}

// running reports whether the container exists and runs.
func running(ctx context.Context, inspect func(context.Context) (container.InspectResponse, error)) bool {
	info, err := inspect(ctx)
	return err == nil && info.State != nil && info.State.Running
}
