package docker

import (
	"context"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Health values reported in protocol.Status.
const (
	healthHealthy   = "healthy"
	healthUnhealthy = "unhealthy"
	healthStopped   = "stopped"
	healthUnknown   = "unknown"
)

// Observe refreshes many instances with ONE container list call filtered by rampart's
// labels, which says which containers exist and run, and inspects the running ones in
// parallel for the settings that drift (env, ports, image, resources), starting with the
// containers state records while the list call is still out. The runtime
// configuration is not read back here (one archive call per container would make a plan
// of hundreds of appliances cost seconds): only rampart writes it, and Read does read
// it back. Only when asked for status (`rampart status`) does it call each runtime's
// admin API, for its health, the health of its parts and its figures (fillStatus).
func (p *placement) Observe(ctx context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse {
	resp := &protocol.ObserveResponse{Observed: make(map[string]*protocol.Observed, len(req.Instances))}
	if len(req.Instances) == 0 {
		return resp
	}
	cli, err := p.engine.get()
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.FromErr("cannot reach the Docker engine", err)
		return resp
	}
	p.warmBinaryHashes(req.Instances)
	// Inspecting goes on while the list call runs; what is still in flight when Observe
	// returns (after an error) is cancelled.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inspected := newInspections(ctx, cli)
	for _, in := range req.Instances {
		if id := shape.String(in.Prior.Placement, attrContainerID); id != "" {
			inspected.start(id)
		}
	}
	containers, err := listManaged(ctx, cli, req.Instances)
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.FromErr("cannot list containers", err)
		return resp
	}
	imported, err := listImported(ctx, cli, req.Instances, containers)
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.FromErr("cannot list containers", err)
		return resp
	}
	observed := make([]protocol.Observed, len(req.Instances))
	listed := make([]container.Summary, len(req.Instances))
	var checks []driftCheck
	for i, in := range req.Instances {
		c, ok := containers[instanceKey{in.Instance.Address, in.Instance.Lineage}]
		if !ok {
			c, ok = imported[shape.String(in.Prior.Placement, attrContainerID)]
		}
		listed[i] = c
		observed[i] = observeSummary(c, ok, in.Prior)
		if kind, diags := runtimes.LookupKind("docker", in.Instance.Kind); observed[i].Value != nil && !diags.HasErrors() {
			checks = append(checks, driftCheck{address: in.Instance.Address, containerID: c.ID, kind: kind,
				prior: in.Prior.Placement, recreated: c.ID != shape.String(in.Prior.Placement, attrContainerID)})
		}
	}
	// The list says which containers exist; their settings (env, ports, resources...) need
	// an inspect each: most are under way already, started before the list answered.
	settings := observeSettings(ctx, cli, inspected, checks)
	var statusChecks []statusCheck
	for i, in := range req.Instances {
		obs := &observed[i]
		if pl, ok := settings[in.Instance.Address]; ok {
			obs.Value.Placement = shape.Value(pl, shape.ComputedOf(obs.Value.Placement))
		}
		if req.WantStatus && obs.Value != nil {
			statusChecks = append(statusChecks, statusCheck{index: i, instance: in.Instance, listed: listed[i], value: obs.Value})
		}
		resp.Observed[in.Instance.Address] = obs
	}
	// Only `rampart status` asks the runtimes (health, pool members, figures): a plan
	// makes no call to any container.
	p.fillStatus(ctx, statusChecks, observed)
	return resp
}

// instanceKey identifies a container by its labels.
type instanceKey struct{ address, lineage string }

// listManaged lists, in one call, the containers of the instances' lineages, indexed by
// their labels.
func listManaged(ctx context.Context, cli *client.Client, instances []*protocol.ObserveInstance) (map[instanceKey]container.Summary, error) {
	lineages := map[string]bool{}
	for _, in := range instances {
		lineages[in.Instance.Lineage] = true
	}
	args := filters.NewArgs()
	if len(lineages) == 1 {
		for l := range lineages {
			args.Add("label", labelLineage+"="+l)
		}
	} else {
		args.Add("label", labelLineage)
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list containers labelled %s: %w", labelLineage, err)
	}
	out := make(map[instanceKey]container.Summary, len(list))
	for _, c := range list {
		key := instanceKey{c.Labels[labelAppliance], c.Labels[labelLineage]}
		// Prefer a running container when an interrupted apply left two.
		if prev, dup := out[key]; dup && prev.State == "running" {
			continue
		}
		out[key] = c
	}
	return out, nil
}

// listImported finds, by the container_id recorded in state, the containers the label
// list missed: imported ones, which keep the labels they were created with (Docker
// cannot relabel a container). It costs one more list call, and only when some
// instance was missed.
func listImported(ctx context.Context, cli *client.Client, instances []*protocol.ObserveInstance, found map[instanceKey]container.Summary) (map[string]container.Summary, error) {
	args := filters.NewArgs()
	for _, in := range instances {
		if _, ok := found[instanceKey{in.Instance.Address, in.Instance.Lineage}]; ok {
			continue
		}
		if id := shape.String(in.Prior.Placement, attrContainerID); id != "" {
			args.Add("id", id)
		}
	}
	if args.Len() == 0 {
		return nil, nil
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list containers by id: %w", err)
	}
	out := make(map[string]container.Summary, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

// observeSummary turns a container list entry into an observation: gone or stopped is
// a nil value (the next plan creates it again); otherwise the prior value with what the
// list says about the container (id, image).
func observeSummary(c container.Summary, found bool, prior protocol.InstanceValue) protocol.Observed {
	if !found {
		return protocol.Observed{Status: protocol.Status{Health: healthStopped, Detail: "no container"}}
	}
	if c.State != "running" {
		return protocol.Observed{Status: protocol.Status{Health: healthStopped, Detail: "container " + shortID(c.ID) + " is " + c.State}}
	}
	computed := shape.ComputedOf(prior.Placement)
	computed[attrContainerID] = cty.StringVal(c.ID)
	computed[attrImageRef] = cty.StringVal(observedImageRef(c, prior.Placement))
	computed[attrImageID] = cty.StringVal(c.ImageID)
	if len(c.Names) > 0 {
		computed[attrContainerName] = cty.StringVal(trimSlash(c.Names[0]))
	}
	return protocol.Observed{
		Value:  &protocol.InstanceValue{Runtime: prior.Runtime, Placement: shape.Value(prior.Placement, computed)},
		Status: protocol.Status{Health: healthUnknown, Detail: "container " + shortID(c.ID) + ": " + c.Status},
	}
}

// observedImageRef is the image reference a listed container was created from. The list
// reports the image's ID instead when that reference has since moved to another image
// (the same rampart tag rebuilt elsewhere, a tag pushed again): the container still runs
// the image in state, so the reference in state stands, and no phantom drift appears.
func observedImageRef(c container.Summary, prior cty.Value) string {
	if c.Image == c.ImageID && shape.String(prior, attrImageID) == c.ImageID {
		if ref := shape.String(prior, attrImageRef); ref != "" {
			return ref
		}
	}
	return c.Image
}

// Read refreshes one instance: it inspects the container and reads its configuration
// back through the archive API.
func (p *placement) Read(ctx context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	resp := &protocol.ReadResponse{}
	id := shape.String(req.Current.Placement, attrContainerID)
	if id == "" {
		resp.Observed.Status.Health = healthStopped
		return resp
	}
	cli, err := p.engine.get()
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.FromErr("cannot reach the Docker engine", err)
		return resp
	}
	info, err := cli.ContainerInspect(ctx, id)
	if cerrdefs.IsNotFound(err) {
		resp.Observed.Status = protocol.Status{Health: healthStopped, Detail: "no container"}
		return resp
	}
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.FromErr("cannot inspect container "+shortID(id), err)
		return resp
	}
	if info.State == nil || !info.State.Running {
		resp.Observed.Status = protocol.Status{Health: healthStopped, Detail: "container " + shortID(id) + " is not running"}
		return resp
	}
	runtime := req.Current.Runtime
	if data, err := readConfig(ctx, cli, id); err != nil {
		resp.Diagnostics = append(resp.Diagnostics, protocol.Diagnostic{Severity: protocol.Warning,
			Summary: "cannot read the configuration of " + req.Instance.Address, Detail: err.Error() + ". The next apply writes it again."})
		runtime = cty.NullVal(runtime.Type())
	} else if v, err := runtimes.FromData(data, req.Current.Runtime); err != nil {
		resp.Diagnostics = append(resp.Diagnostics, protocol.Diagnostic{Severity: protocol.Warning,
			Summary: "cannot decode the configuration of " + req.Instance.Address, Detail: err.Error() + ". The next apply writes it again."})
		runtime = cty.NullVal(runtime.Type())
	} else {
		runtime = v
	}
	computed := shape.ComputedOf(req.Current.Placement)
	computed[attrContainerID] = cty.StringVal(info.ID)
	computed[attrImageID] = cty.StringVal(info.Image)
	computed[attrContainerName] = cty.StringVal(trimSlash(info.Name))
	computed[attrAddress] = cty.StringVal(containerIP(info))
	if info.Config != nil {
		computed[attrImageRef] = cty.StringVal(info.Config.Image)
	}
	resp.Observed.Value = &protocol.InstanceValue{Runtime: runtime, Placement: shape.Value(req.Current.Placement, computed)}
	reach := func(cfg appliance.Config) (string, error) { return p.adminReach(info, cfg) }
	resp.Observed.Status, _ = p.runtimeView(ctx, req.Instance, runtime, reach, inspectedHealth(info))
	return resp
}

func trimSlash(name string) string {
	if len(name) > 0 && name[0] == '/' {
		return name[1:]
	}
	return name
}

// warmBinaryHashes starts hashing, in the background, the runtime binaries of the kinds
// being observed: the Plan calls that follow need their digest (the image tag), and
// reading tens of megabytes then would hold every one of them up.
func (p *placement) warmBinaryHashes(instances []*protocol.ObserveInstance) {
	seen := map[string]bool{}
	for _, in := range instances {
		kind, diags := runtimes.LookupKind("docker", in.Instance.Kind)
		if diags.HasErrors() || seen[kind.Binary] {
			continue
		}
		seen[kind.Binary] = true
		go func() { _, _ = resolveBinary(kind.Binary, p.runtimeDir) }()
	}
}
