package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
)

// Delete stops the container (SIGTERM, SIGKILL after stopTimeout) and removes it with its
// configuration volume. A container already gone is deleted. The managed networks and
// the image it leaves unused are removed once no other delete is running (deferredTidy).
func (p *placement) Delete(ctx context.Context, req *protocol.ApplyRequest, progress sdk.Progress) protocol.Diagnostics {
	if req.Prior == nil {
		return nil
	}
	id := shape.String(req.Prior.Placement, attrContainerID)
	if id == "" {
		return nil
	}
	cli, err := p.engine.get()
	if err != nil {
		var diags protocol.Diagnostics
		return diags.FromErr("cannot reach the Docker engine", err)
	}
	p.tidy.begin()
	diags := p.removeContainer(ctx, cli, id, progress)
	var networks []tidyNetwork
	managed, _ := managedNetworks(req.Prior.Placement)
	for _, n := range managed {
		networks = append(networks, tidyNetwork{lineage: req.Instance.Lineage, name: n.name})
	}
	checkNetworks, checkImages := p.tidy.end(networks, shape.String(req.Prior.Placement, attrImageID))
	if diags.HasErrors() {
		// The engine failed us: what the others left is checked by the next delete.
		p.tidy.requeue(checkNetworks, checkImages)
		return diags
	}
	return p.tidyAfterDeletes(ctx, cli, checkNetworks, checkImages, progress)
}

// removeContainer stops and removes one container; one already gone is fine.
func (p *placement) removeContainer(ctx context.Context, cli *client.Client, id string, progress sdk.Progress) protocol.Diagnostics {
	var diags protocol.Diagnostics
	timeout := int(p.stopTimeout.Seconds())
	progress("stopping container %s", shortID(id))
	err := cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout})
	switch {
	case cerrdefs.IsNotFound(err):
		return nil // already gone; its network and image may still be left to tidy
	case err != nil:
		return engineErr(ctx, cli, diags.FromErr("cannot stop container "+shortID(id), err))
	}
	if err := cli.ContainerRemove(ctx, id, container.RemoveOptions{RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return engineErr(ctx, cli, diags.FromErr("cannot remove container "+shortID(id), err))
	}
	progress("removed container %s", shortID(id))
	return nil
}

// tidyAfterDeletes removes the managed networks no container uses any more and, when an
// image the deleted containers ran is now unused, prunes rampart's unused images.
func (p *placement) tidyAfterDeletes(ctx context.Context, cli *client.Client, networks []tidyNetwork, images []string, progress sdk.Progress) protocol.Diagnostics {
	var diags protocol.Diagnostics
	for _, n := range networks {
		// Cheap first: one container on the network is enough to keep it.
		if networkInUse(ctx, cli, n.name) {
			continue
		}
		diags = append(diags, p.removeNetworkIfUnused(ctx, cli, n.name, n.lineage, progress)...)
	}
	for _, img := range images {
		if !imageInUse(ctx, cli, img) {
			// Pruning lists every image and container: once, whatever the count.
			p.pruneImages(ctx, cli, progress)
			break
		}
	}
	return diags
}
