package docker

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

// labelNetwork marks the networks rampart manages; its value is the state lineage, so
// two states never remove each other's networks.
const labelNetwork = "rampart.network"

// managedNetwork is one `managed_network { }` block.
type managedNetwork struct {
	name     string
	subnet   string // "" lets Docker choose
	internal bool
}

// managedNetworks reads the managed_network blocks, checking names and subnets.
func managedNetworks(pl cty.Value) ([]managedNetwork, protocol.Diagnostics) {
	v, _ := shape.Attr(pl, attrManagedNetwork).UnmarkDeep()
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil, nil
	}
	var out []managedNetwork
	var diags protocol.Diagnostics
	seen := map[string]bool{}
	for it := v.ElementIterator(); it.Next(); {
		i, block := it.Element()
		path := cty.GetAttrPath("placement").GetAttr(attrManagedNetwork).Index(i)
		n := managedNetwork{name: objString(block, "name"), subnet: objString(block, "subnet")}
		if b := block.GetAttr("internal"); !b.IsNull() {
			n.internal = b.True()
		}
		switch {
		case n.name == "" || n.name == "bridge" || n.name == "host" || n.name == "none":
			diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "invalid managed_network name",
				Detail:    fmt.Sprintf("managed_network name %q: give the network a name of its own (bridge, host and none are Docker's).", n.name),
				Attribute: path.GetAttr("name")})
			continue
		case seen[n.name]:
			diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "duplicate managed_network",
				Detail: fmt.Sprintf("managed_network %q is declared twice in this docker block; keep one.", n.name), Attribute: path.GetAttr("name")})
			continue
		}
		if n.subnet != "" {
			if _, err := netip.ParsePrefix(n.subnet); err != nil {
				diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "invalid subnet",
					Detail:    fmt.Sprintf("managed_network %q: subnet %q is not in CIDR form; write it like 10.30.0.0/24.", n.name, n.subnet),
					Attribute: path.GetAttr("subnet")})
				continue
			}
		}
		seen[n.name] = true
		out = append(out, n)
	}
	return out, diags
}

// networkLocks serialises the creation and removal of managed networks within this
// provider process: appliances applied in parallel often declare the same network.
// ensured remembers the networks this process already checked or created (by name and
// settings): inspecting a network lists every container on it, so with hundreds of
// appliances on one network, checking it again for each create serialised the apply.
type networkLocks struct {
	mu      sync.Mutex
	ensured map[managedNetworkKey]bool
}

// managedNetworkKey is a managed network block as ensureNetwork checked it.
type managedNetworkKey struct {
	lineage string
	network managedNetwork
}

// ensureNetwork creates n unless it exists. An existing network must be rampart's (same
// lineage label) and match the block; a network someone else made is attached with
// `network = "..."` instead, never adopted silently.
func (p *placement) ensureNetwork(ctx context.Context, cli *client.Client, lineage string, n managedNetwork, progress sdk.Progress) error {
	p.networks.mu.Lock()
	defer p.networks.mu.Unlock()
	key := managedNetworkKey{lineage: lineage, network: n}
	if p.networks.ensured[key] {
		return nil
	}
	existing, err := cli.NetworkInspect(ctx, n.name, network.InspectOptions{})
	if err == nil {
		if err := checkManagedNetwork(existing, lineage, n); err != nil {
			return err
		}
		p.networks.remember(key)
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspect network %s: %w", n.name, err)
	}
	opts := network.CreateOptions{
		Driver:   "bridge",
		Internal: n.internal,
		Labels:   map[string]string{labelNetwork: lineage},
	}
	for k, v := range p.extraLabels {
		opts.Labels[k] = v
	}
	if n.subnet != "" {
		opts.IPAM = &network.IPAM{Config: []network.IPAMConfig{{Subnet: n.subnet}}}
	}
	created, err := cli.NetworkCreate(ctx, n.name, opts)
	if err != nil {
		return fmt.Errorf("create network %s: %w", n.name, err)
	}
	progress("created network %s (%s)", n.name, shortID(created.ID))
	p.networks.remember(key)
	return nil
}

// remember records a network as checked; the caller holds mu.
func (l *networkLocks) remember(key managedNetworkKey) {
	if l.ensured == nil {
		l.ensured = map[managedNetworkKey]bool{}
	}
	l.ensured[key] = true
}

// forget drops every record of the network name; the caller holds mu.
func (l *networkLocks) forget(name string) {
	for key := range l.ensured {
		if key.network.name == name {
			delete(l.ensured, key)
		}
	}
}

// checkManagedNetwork accepts an existing network as the managed network n only when
// rampart made it for this state and it still has the declared settings.
func checkManagedNetwork(existing network.Inspect, lineage string, n managedNetwork) error {
	owner, ours := existing.Labels[labelNetwork]
	if !ours {
		return fmt.Errorf("network %s exists and was not created by rampart: attach to it with network = %q, or give the managed_network another name", n.name, n.name)
	}
	if owner != lineage {
		return fmt.Errorf("network %s is managed by another rampart state (lineage %s): give the managed_network another name", n.name, owner)
	}
	if existing.Internal != n.internal {
		return fmt.Errorf("network %s exists with internal = %v, the configuration says %v: destroy the appliances that use it first", n.name, existing.Internal, n.internal)
	}
	if n.subnet != "" && !hasSubnet(existing, n.subnet) {
		return fmt.Errorf("network %s exists with another subnet than %s: destroy the appliances that use it first", n.name, n.subnet)
	}
	return nil
}

func hasSubnet(existing network.Inspect, subnet string) bool {
	want, err := netip.ParsePrefix(subnet)
	if err != nil {
		return false
	}
	for _, c := range existing.IPAM.Config {
		if got, err := netip.ParsePrefix(c.Subnet); err == nil && got.Masked() == want.Masked() {
			return true
		}
	}
	return false
}

// networkInUse says whether any container (running or not) is on the network; an error
// counts as in use, so nothing is removed on doubt.
func networkInUse(ctx context.Context, cli *client.Client, name string) bool {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Limit: 1,
		Filters: filters.NewArgs(filters.Arg("network", name))})
	return err != nil || len(list) > 0
}

// removeNetworkIfUnused removes the managed network name when this state's lineage owns
// it and no container uses it, under the lock that creates take too.
func (p *placement) removeNetworkIfUnused(ctx context.Context, cli *client.Client, name, lineage string, progress sdk.Progress) protocol.Diagnostics {
	p.networks.mu.Lock()
	defer p.networks.mu.Unlock()
	var diags protocol.Diagnostics
	existing, err := cli.NetworkInspect(ctx, name, network.InspectOptions{})
	switch {
	case cerrdefs.IsNotFound(err):
		p.networks.forget(name)
		return nil
	case err != nil:
		return diags.FromErr("cannot inspect network "+name, err)
	case existing.Labels[labelNetwork] != lineage:
		return nil // not ours to remove
	case len(existing.Containers) > 0:
		progress("keeping network %s: %d container(s) still use it", name, len(existing.Containers))
		return nil
	}
	if err := cli.NetworkRemove(ctx, existing.ID); err != nil && !cerrdefs.IsNotFound(err) {
		// A container joining at this very moment makes the engine refuse: keep it.
		if cerrdefs.IsConflict(err) || cerrdefs.IsPermissionDenied(err) {
			progress("keeping network %s: %v", name, err)
			return nil
		}
		return diags.FromErr("cannot remove network "+name, err)
	}
	p.networks.forget(name)
	progress("removed network %s", name)
	return nil
}

// containerNetworks is the networks a container joins, the first being the one it is
// created on: the existing network when set, then the managed ones in order.
func containerNetworks(pl cty.Value) []string {
	var out []string
	if name := shape.String(pl, attrNetwork); name != "" {
		out = append(out, name)
	}
	networks, _ := managedNetworks(pl)
	for _, n := range networks {
		if len(out) == 0 || out[0] != n.name {
			out = append(out, n.name)
		}
	}
	return out
}
