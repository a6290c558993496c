package docker

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Import adopts a running container: the ID is its id or name (the engine strips the
// `docker:` prefix). The runtime configuration is read back from containerConfigFile
// through the archive API; a container without one is not a rampart runtime.
//
// The request does not carry the runtime's cty type, so the configuration is decoded
// with the type implied by the JSON itself; the engine converts it to the kind's schema
// type. Docker cannot add labels to an existing container, so an adopted container keeps
// its own: Observe finds it by the container_id recorded in state instead (see
// listImported).
func (p *placement) Import(ctx context.Context, req *protocol.ImportRequest) *protocol.ImportResponse {
	fail := func(summary, format string, args ...any) *protocol.ImportResponse {
		return &protocol.ImportResponse{Diagnostics: protocol.Diagnostics{}.Errorf(summary, format, args...)}
	}
	kind, diags := runtimes.LookupKind("docker", req.Instance.Kind)
	if diags.HasErrors() {
		return &protocol.ImportResponse{Diagnostics: diags}
	}
	id := strings.TrimPrefix(strings.TrimSpace(req.ID), PlacementType+":")
	if id == "" {
		return fail("invalid import ID", "Give the id or name of a container, e.g. docker:rampart-waf.shop.")
	}
	cli, err := p.engine.get()
	if err != nil {
		return &protocol.ImportResponse{Diagnostics: diags.FromErr("cannot reach the Docker engine", err)}
	}
	info, err := cli.ContainerInspect(ctx, id)
	if cerrdefs.IsNotFound(err) {
		return fail("no such container", "The Docker engine has no container with id or name %q (see docker ps -a).", id)
	}
	if err != nil {
		return &protocol.ImportResponse{Diagnostics: diags.FromErr("cannot inspect container "+id, err)}
	}
	data, err := readConfig(ctx, cli, info.ID)
	if err != nil {
		return fail("not a rampart runtime",
			"Container %s has no readable %s, so it is not a rampart %s runtime: %v.", id, containerConfigFile, kind.Name, err)
	}
	if info.State == nil || !info.State.Running || info.Config == nil || info.HostConfig == nil {
		return fail("container not running", "Container %s is not running; start it (docker start %s) before importing it.", id, id)
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		return &protocol.ImportResponse{Diagnostics: runtimes.ConfigErrors(kind, err)}
	}
	typ, err := ctyjson.ImpliedType(data)
	if err != nil {
		return fail("cannot decode the configuration", "%s in container %s: %v.", containerConfigFile, id, err)
	}
	runtime, err := ctyjson.Unmarshal(data, typ)
	if err != nil {
		return fail("cannot decode the configuration", "%s in container %s: %v.", containerConfigFile, id, err)
	}
	user, err := containerSettings(ctx, cli, &imageEnvs{}, kind, needsLowPorts(parsed), info)
	if err != nil {
		return fail("cannot read the container's settings", "Container %s: %v.", id, err)
	}
	if err := importedNetworks(ctx, cli, info, user); err != nil {
		return fail("cannot read the container's networks", "Container %s: %v.", id, err)
	}
	user[attrContainerID] = cty.StringVal(info.ID)
	user[attrContainerName] = cty.StringVal(trimSlash(info.Name))
	user[attrImageID] = cty.StringVal(info.Image)
	user[attrImageRef] = cty.StringVal(info.Config.Image)
	user[attrAddress] = cty.StringVal(containerIP(info))
	return &protocol.ImportResponse{Imported: &protocol.InstanceValue{Runtime: runtime, Placement: placementObject(user)}}
}

// importedNetworks turns the networks a container joined that rampart manages (labelled
// rampart.network) into managed_network blocks; network keeps naming an existing one.
func importedNetworks(ctx context.Context, cli *client.Client, info container.InspectResponse, user map[string]cty.Value) error {
	if info.NetworkSettings == nil {
		return nil
	}
	names := make([]string, 0, len(info.NetworkSettings.Networks))
	for name := range info.NetworkSettings.Networks {
		names = append(names, name)
	}
	sort.Strings(names)
	// The network the container was created on comes first, as in containerNetworks.
	primary := string(info.HostConfig.NetworkMode)
	sort.SliceStable(names, func(i, j int) bool { return names[i] == primary && names[j] != primary })
	var blocks []cty.Value
	for _, name := range names {
		nw, err := cli.NetworkInspect(ctx, name, network.InspectOptions{})
		if err != nil {
			return fmt.Errorf("inspect network %s: %w", name, err)
		}
		if _, managed := nw.Labels[labelNetwork]; !managed {
			continue
		}
		subnet := cty.NullVal(cty.String)
		if len(nw.IPAM.Config) > 0 && nw.IPAM.Config[0].Subnet != "" {
			subnet = cty.StringVal(nw.IPAM.Config[0].Subnet)
		}
		internal := cty.NullVal(cty.Bool)
		if nw.Internal {
			internal = cty.True
		}
		blocks = append(blocks, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "subnet": subnet, "internal": internal}))
		if v, ok := user[attrNetwork]; ok && v.AsString() == name {
			delete(user, attrNetwork)
		}
	}
	if len(blocks) > 0 {
		user[attrManagedNetwork] = cty.ListVal(blocks)
	}
	return nil
}

// placementObject is a placement value with attrs set and every other attribute null.
func placementObject(attrs map[string]cty.Value) cty.Value {
	all := make(map[string]cty.Value, len(placementType.AttributeTypes()))
	for name, t := range placementType.AttributeTypes() {
		all[name] = cty.NullVal(t)
	}
	for name, v := range attrs {
		all[name] = v
	}
	return cty.ObjectVal(all)
}

// containerSettings reads the user attributes back from a container, leaving null what
// the provider's defaults give, so a configuration that omits them plans no change.
// lowPorts says the runtime listens below 1024, for which the provider itself adds
// NET_BIND_SERVICE (it is then not part of cap_add).
func containerSettings(ctx context.Context, cli *client.Client, envs *imageEnvs, kind appliance.Kind, lowPorts bool, info container.InspectResponse) (map[string]cty.Value, error) {
	out := map[string]cty.Value{}
	hc := info.HostConfig
	// A built image (rampart/<kind>:...) is what a null image means.
	if ref := info.Config.Image; !strings.HasPrefix(ref, "rampart/"+kind.Name+":") {
		out[attrImage] = cty.StringVal(ref)
	}
	if mode := string(hc.NetworkMode); mode != "" && mode != "default" && mode != "bridge" {
		out[attrNetwork] = cty.StringVal(mode)
	}
	ports, publish, err := importedPorts(hc.PortBindings)
	if err != nil {
		return nil, err
	}
	if len(ports) > 0 {
		out[attrPorts] = cty.MapVal(ports)
	}
	if publish != "" && publish != defaultPublishAddress {
		out[attrPublishAddress] = cty.StringVal(publish)
	}
	env, err := importedEnv(ctx, cli, envs, info)
	if err != nil {
		return nil, err
	}
	if len(env) > 0 {
		out[attrEnv] = cty.MapVal(env)
	}
	if hc.Memory > 0 {
		out[attrMemory] = cty.StringVal(sizeString(hc.Memory))
	}
	if hc.MemorySwap != 0 {
		out[attrMemorySwap] = cty.StringVal(sizeString(hc.MemorySwap))
	}
	if hc.PidsLimit != nil && *hc.PidsLimit > 0 {
		out[attrPidsLimit] = cty.NumberIntVal(*hc.PidsLimit)
	}
	// NET_BIND_SERVICE is added by the provider for ports below 1024, not by cap_add.
	var capabilities []cty.Value
	for _, c := range hc.CapAdd {
		name := strings.TrimPrefix(strings.ToUpper(c), "CAP_")
		if name == "NET_BIND_SERVICE" && lowPorts {
			continue
		}
		capabilities = append(capabilities, cty.StringVal(name))
	}
	if len(capabilities) > 0 {
		out[attrCapAdd] = cty.ListVal(capabilities)
	}
	if hc.NanoCPUs > 0 {
		out[attrCPUs] = cty.NumberVal(new(big.Float).Quo(new(big.Float).SetInt64(hc.NanoCPUs), big.NewFloat(1e9)))
	}
	if r := string(hc.RestartPolicy.Name); r != "" && r != defaultRestart {
		out[attrRestart] = cty.StringVal(r)
	}
	for _, bind := range hc.Binds {
		if strings.HasPrefix(bind, dockerSocket+":") {
			out[attrDockerdSocket] = cty.True
		}
	}
	return out, nil
}

// importedPorts turns published ports back into host port = container port, and the
// host address they are published on.
func importedPorts(bindings nat.PortMap) (map[string]cty.Value, string, error) {
	ports := map[string]cty.Value{}
	var publish string
	for port, list := range bindings {
		containerPort := port.Int()
		if containerPort <= 0 || port.Proto() != "tcp" {
			return nil, "", fmt.Errorf("published port %s is not a TCP port rampart can manage", port)
		}
		for _, b := range list {
			if b.HostPort == "" {
				return nil, "", fmt.Errorf("port %s is published on a random host port; rampart needs a fixed one", port)
			}
			ports[b.HostPort] = cty.NumberIntVal(int64(containerPort))
			publish = b.HostIP
		}
	}
	return ports, publish, nil
}

// importedEnv is the container's environment minus what its image sets.
func importedEnv(ctx context.Context, cli *client.Client, envs *imageEnvs, info container.InspectResponse) (map[string]cty.Value, error) {
	imageEnv, err := envs.get(ctx, cli, info.Image)
	if err != nil {
		return nil, err
	}
	env := map[string]cty.Value{}
	for _, kv := range info.Config.Env {
		if imageEnv[kv] {
			continue
		}
		name, value, _ := strings.Cut(kv, "=")
		env[name] = cty.StringVal(value)
	}
	return env, nil
}

// imageEnvs caches the environment images set, by image id: a refresh of hundreds of
// containers of one image inspects the image once.
type imageEnvs struct {
	mu  sync.Mutex
	env map[string]map[string]bool
}

func (c *imageEnvs) get(ctx context.Context, cli *client.Client, imageID string) (map[string]bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if env, ok := c.env[imageID]; ok {
		return env, nil
	}
	env := map[string]bool{}
	img, err := cli.ImageInspect(ctx, imageID)
	if err != nil && !cerrdefs.IsNotFound(err) {
		return nil, fmt.Errorf("inspect image %s: %w", imageID, err)
	}
	if err == nil && img.Config != nil {
		for _, kv := range img.Config.Env {
			env[kv] = true
		}
	}
	if c.env == nil {
		c.env = map[string]map[string]bool{}
	}
	c.env[imageID] = env
	return env, nil
}

// sizeString writes a byte count as Docker's size syntax reads it back: 512M, 2G.
func sizeString(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n > 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
