package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
)

// Delete stops the container (SIGTERM, SIGKILL after stopTimeout) and removes it with its
// configuration volume. A container already gone is deleted.
func (p *placement) Delete(ctx context.Context, req *protocol.ApplyRequest, progress sdk.Progress) protocol.Diagnostics {
	var diags protocol.Diagnostics
	if req.Prior == nil {
		return nil
	}
	id := shape.String(req.Prior.Placement, attrContainerID)
	if id == "" {
		return nil
	}
	cli, err := p.engine.get()
	if err != nil {
		return diags.FromErr("cannot reach the Docker engine", err)
	}
	timeout := int(p.stopTimeout.Seconds())
	progress("stopping container %s", shortID(id))
	err = cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout})
	switch {
	case cerrdefs.IsNotFound(err):
		// Already gone; its network and image may still be left to tidy.
	case err != nil:
		return engineErr(ctx, cli, diags.FromErr("cannot stop container "+shortID(id), err))
	default:
		if err := cli.ContainerRemove(ctx, id, container.RemoveOptions{RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return engineErr(ctx, cli, diags.FromErr("cannot remove container "+shortID(id), err))
		}
		progress("removed container %s", shortID(id))
	}
	if diags := p.removeUnusedNetworks(ctx, cli, req.Instance.Lineage, req.Prior.Placement, progress); diags.HasErrors() {
		return diags
	}
	// Pruning lists every image and container: do it only when the image of the container
	// just removed is now unused (the last of a bulk destroy), not for each of hundreds.
	if image := shape.String(req.Prior.Placement, attrImageID); image != "" && !imageInUse(ctx, cli, image) {
		p.pruneImages(ctx, cli, progress)
	}
	return nil
}
