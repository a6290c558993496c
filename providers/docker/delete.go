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
	if err := cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return diags.FromErr("cannot stop container "+shortID(id), err)
	}
	if err := cli.ContainerRemove(ctx, id, container.RemoveOptions{RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return diags.FromErr("cannot remove container "+shortID(id), err)
	}
	progress("removed container %s", shortID(id))
	return nil
}
