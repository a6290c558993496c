package docker

import (
	"context"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Apply creates the container (req.Prior == nil) or reloads it in place with the new
// configuration. Replacements arrive as a Delete followed by a create.
func (p *placement) Apply(ctx context.Context, req *protocol.ApplyRequest, progress sdk.Progress) *protocol.ApplyResponse {
	kind, diags := runtimes.LookupKind("docker", req.Instance.Kind)
	if diags.HasErrors() {
		return &protocol.ApplyResponse{New: req.Prior, Diagnostics: diags}
	}
	cli, err := p.engine.get()
	if err != nil {
		return &protocol.ApplyResponse{New: req.Prior, Diagnostics: diags.FromErr("cannot reach the Docker engine", err)}
	}
	// Config has every reference resolved; Planned may still hold unknowns.
	final := req.Config
	if final == nil {
		final = req.Planned
	}
	if req.Prior == nil {
		return p.create(ctx, cli, req.Instance, kind, *final, progress)
	}
	id := shape.String(req.Prior.Placement, attrContainerID)
	info, err := cli.ContainerInspect(ctx, id)
	if err != nil || info.State == nil || !info.State.Running {
		// Refresh found the container gone or stopped, so Plan planned a create.
		progress("container %s is no longer running; creating it again", shortID(id))
		return p.create(ctx, cli, req.Instance, kind, *final, progress)
	}
	return p.update(ctx, cli, kind, *req.Prior, *final, info, progress)
}

// create builds or finds the image, creates the container, copies the configuration in,
// starts it and waits until it is healthy.
func (p *placement) create(ctx context.Context, cli *client.Client, inst protocol.Instance, kind appliance.Kind, final protocol.InstanceValue, progress sdk.Progress) *protocol.ApplyResponse {
	fail := func(diags protocol.Diagnostics) *protocol.ApplyResponse {
		return &protocol.ApplyResponse{Diagnostics: diags}
	}
	var diags protocol.Diagnostics
	rendered, diags := runtimes.Render(kind, final.Runtime)
	if diags.HasErrors() {
		return fail(diags)
	}
	if diags := checkAdminListen(rendered.Parsed); diags.HasErrors() {
		return fail(diags)
	}
	src, diags := p.imageRef(kind, final.Placement)
	if diags.HasErrors() {
		return fail(diags)
	}
	ref := src.ref
	// Held until the container exists: a prune by a parallel apply must not take it.
	release := p.images.hold(ref)
	defer release()
	imageID, fresh, err := p.prepareImage(ctx, cli, kind, src, progress)
	if err != nil {
		return fail(engineErr(ctx, cli, diags.FromErr("cannot prepare image "+ref, err)))
	}
	spec, diags := p.buildSpec(inst, kind, ref, src.binary.Path != "", final.Placement, rendered)
	if diags.HasErrors() {
		return fail(diags)
	}
	networks, diags := managedNetworks(final.Placement)
	if diags.HasErrors() {
		return fail(diags)
	}
	for _, n := range networks {
		if err := p.ensureNetwork(ctx, cli, inst.Lineage, n, progress); err != nil {
			return fail(engineErr(ctx, cli, diags.FromErr("cannot prepare network "+n.name, err)))
		}
	}
	created, err := cli.ContainerCreate(ctx, spec.config, spec.hostConfig, spec.networking, nil, spec.name)
	if cerrdefs.IsConflict(err) {
		// A container left behind for this very instance (state lost, or an apply killed
		// half-way) holds the name; it carries our labels, so it is ours to remove. Asked
		// only on a conflict: an inspect before every create would be one more engine
		// call per appliance for the rare case.
		if err := p.removeLeftover(ctx, cli, inst, spec.name, progress); err != nil {
			return fail(engineErr(ctx, cli, diags.FromErr("cannot remove leftover container", err)))
		}
		created, err = cli.ContainerCreate(ctx, spec.config, spec.hostConfig, spec.networking, nil, spec.name)
	}
	if err != nil {
		return fail(engineErr(ctx, cli, diags.FromErr("cannot create container "+spec.name, err)))
	}
	id := created.ID
	release()
	progress("created container %s (%s)", spec.name, shortID(id))
	discard := func(diags protocol.Diagnostics) *protocol.ApplyResponse {
		// Fail closed: a container that is not healthy is removed, not left half-working.
		// When the engine itself is gone this fails too; the container carries the
		// instance's labels, so the next apply finds it and removes it (removeLeftover).
		_ = cli.ContainerRemove(context.WithoutCancel(ctx), id, container.RemoveOptions{Force: true, RemoveVolumes: true})
		return fail(engineErr(ctx, cli, diags))
	}
	for _, name := range spec.networks[min(1, len(spec.networks)):] {
		if err := cli.NetworkConnect(ctx, name, id, nil); err != nil {
			return discard(diags.FromErr("cannot connect container "+spec.name+" to network "+name, err))
		}
	}
	if err := copyConfig(ctx, cli, id, rendered.Data); err != nil {
		return discard(diags.FromErr("cannot deliver the runtime configuration", err))
	}
	if err := cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return discard(diags.FromErr("cannot start container "+spec.name, err))
	}
	info, err := cli.ContainerInspect(ctx, id)
	if err != nil {
		return discard(diags.FromErr("cannot inspect container "+spec.name, err))
	}
	ip := containerIP(info)
	admin, err := p.adminReach(info, rendered.Parsed)
	if err != nil {
		return discard(diags.FromErr("cannot check the health of "+spec.name, err))
	}
	progress("waiting for /healthz on %s", admin)
	started := time.Now()
	alive := runtimes.Process{Alive: func() bool {
		return running(ctx, func(ctx context.Context) (container.InspectResponse, error) { return cli.ContainerInspect(ctx, id) })
	}}
	if err := runtimes.WaitReady(ctx, runtimes.NewClient(admin, ""), alive, rendered.SHA256(), p.healthTimeout); err != nil {
		if lost := engineLost(ctx, cli); lost != nil {
			return discard(diags.FromErr("lost the Docker engine while "+spec.name+" started", lost))
		}
		logs := containerLogs(context.WithoutCancel(ctx), cli, id)
		return discard(diags.Errorf(kind.Binary+" did not become healthy",
			"container %s: %v. Its last log lines:\n%s", spec.name, err, logs))
	}
	progress("%s is healthy after %s", spec.name, time.Since(started).Round(10*time.Millisecond))
	if fresh {
		// A new image (a rebuilt runtime binary) may leave an older one unused.
		p.pruneImages(ctx, cli, progress)
	}

	return &protocol.ApplyResponse{New: &protocol.InstanceValue{
		Runtime: final.Runtime,
		Placement: shape.Value(final.Placement, map[string]cty.Value{
			attrContainerID:   cty.StringVal(id),
			attrContainerName: cty.StringVal(spec.name),
			attrImageID:       cty.StringVal(imageID),
			attrImageRef:      cty.StringVal(ref),
			attrAddress:       cty.StringVal(ip),
		}),
	}}
}

// update copies the new configuration into the running container and has the runtime
// reload it with SIGHUP, then waits until /status reports it.
func (p *placement) update(ctx context.Context, cli *client.Client, kind appliance.Kind, prior, final protocol.InstanceValue, info container.InspectResponse, progress sdk.Progress) *protocol.ApplyResponse {
	keep := func(diags protocol.Diagnostics) *protocol.ApplyResponse {
		return &protocol.ApplyResponse{New: &prior, Diagnostics: diags}
	}
	rendered, diags := runtimes.Render(kind, final.Runtime)
	if diags.HasErrors() {
		return keep(diags)
	}
	id := info.ID
	previous, err := readConfig(ctx, cli, id)
	if err != nil {
		return keep(diags.FromErr("cannot read the current runtime configuration", err))
	}
	if err := copyConfig(ctx, cli, id, rendered.Data); err != nil {
		return keep(diags.FromErr("cannot deliver the runtime configuration", err))
	}
	progress("reloading %s (container %s) with SIGHUP", kind.Binary, shortID(id))
	if err := cli.ContainerKill(ctx, id, "HUP"); err != nil {
		_ = copyConfig(context.WithoutCancel(ctx), cli, id, previous)
		return keep(diags.FromErr("cannot signal "+kind.Binary, err))
	}
	admin, err := p.adminReach(info, rendered.Parsed)
	if err != nil {
		_ = copyConfig(context.WithoutCancel(ctx), cli, id, previous)
		return keep(diags.FromErr("cannot check the reload of "+kind.Binary, err))
	}
	alive := runtimes.Process{Alive: func() bool {
		return running(ctx, func(ctx context.Context) (container.InspectResponse, error) { return cli.ContainerInspect(ctx, id) })
	}}
	if err := runtimes.WaitLoaded(ctx, runtimes.NewClient(admin, ""), alive, rendered.SHA256(), p.reloadTimeout); err != nil {
		// Put the previous file back so state, file and runtime agree again.
		_ = copyConfig(context.WithoutCancel(ctx), cli, id, previous)
		return keep(diags.Errorf(kind.Binary+" did not load the new configuration",
			"container %s still runs its previous configuration: %v. Its last log lines:\n%s",
			shortID(id), err, containerLogs(context.WithoutCancel(ctx), cli, id)))
	}
	progress("container %s runs the new configuration", shortID(id))
	return &protocol.ApplyResponse{New: &protocol.InstanceValue{
		Runtime:   final.Runtime,
		Placement: shape.Value(final.Placement, shape.ComputedOf(prior.Placement)),
	}}
}

// imageSource is where the image of an instance comes from: a runtime binary rampart
// builds into an image (binary set), an archive to load (archive set), or an image the
// user provides on the engine (neither).
type imageSource struct {
	ref       string
	binary    runtimes.Binary
	archive   string
	archiveID string // the image id the archive holds
}

// imageRef resolves the image an instance runs.
func (p *placement) imageRef(kind appliance.Kind, pl cty.Value) (imageSource, protocol.Diagnostics) {
	img := shape.String(pl, attrImage)
	if file := shape.String(pl, attrImageArchive); file != "" {
		held, err := p.archives.read(file)
		if err == nil {
			var ref string
			if ref, err = held.ref(img); err == nil {
				return imageSource{ref: ref, archive: file, archiveID: held.id}, nil
			}
		}
		return imageSource{}, protocol.Diagnostics{{Severity: protocol.Error, Summary: "cannot use image_archive",
			Detail: err.Error() + ".", Attribute: cty.GetAttrPath("placement").GetAttr(attrImageArchive)}}
	}
	if img != "" {
		return imageSource{ref: img}, nil
	}
	binary, diags := resolveBinary(kind.Binary, p.runtimeDir)
	if diags.HasErrors() {
		return imageSource{}, diags
	}
	return imageSource{ref: builtImageRef(kind, binary.SHA256), binary: binary}, nil
}

// prepareImage makes the image of src present on the engine and returns its id; fresh
// says it was built or loaded just now.
func (p *placement) prepareImage(ctx context.Context, cli *client.Client, kind appliance.Kind, src imageSource, progress sdk.Progress) (id string, fresh bool, err error) {
	switch {
	case src.binary.Path != "":
		return p.builds.ensure(src.ref, func() (string, bool, error) {
			if inspected, err := cli.ImageInspect(ctx, src.ref); err == nil {
				return inspected.ID, false, nil
			}
			id, err := p.ensureImage(ctx, cli, kind, src.ref, src.binary, progress)
			return id, err == nil, err
		})
	case src.archive != "":
		id, err = loadArchive(ctx, cli, src.archive, archiveImage{id: src.archiveID, tags: []string{src.ref}}, progress)
		return id, err == nil, err
	}
	id, err = userImageID(ctx, cli, src.ref)
	return id, false, err
}

// userImageID returns the id of an image the user provides; it must be present on the
// engine (rampart does not pull).
func userImageID(ctx context.Context, cli *client.Client, ref string) (string, error) {
	inspected, err := cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("image %s is not on the Docker engine: load or pull it first (docker pull %s)", ref, ref)
	}
	if err != nil {
		return "", fmt.Errorf("inspect image %s: %w", ref, err)
	}
	return inspected.ID, nil
}

// removeLeftover removes a container named name that carries inst's labels.
func (p *placement) removeLeftover(ctx context.Context, cli *client.Client, inst protocol.Instance, name string, progress sdk.Progress) error {
	info, err := cli.ContainerInspect(ctx, name)
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect %s: %w", name, err)
	}
	if info.Config == nil || info.Config.Labels[labelAppliance] != inst.Address || info.Config.Labels[labelLineage] != inst.Lineage {
		return fmt.Errorf("a container named %s exists and is not rampart's: rename or remove it", name)
	}
	progress("removing leftover container %s (%s)", name, shortID(info.ID))
	if err := cli.ContainerRemove(ctx, info.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}
