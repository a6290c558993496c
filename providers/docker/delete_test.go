package docker

import (
	"context"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
)

func mustKind(t testing.TB) appliance.Kind {
	kind, diags := runtimes.LookupKind("docker", "waf")
	mustNoErrors(t, diags)
	return kind
}

// TestDeleteRemovesContainer creates a container and deletes it; the image is built once
// and reused by the second create (same binary, same tag).
func TestDeleteRemovesContainer(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.del", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "del.example"), Placement: dockerPlacement(nil)}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
	mustNoErrors(t, created.Diagnostics)
	id := shape.String(created.New.Placement, attrContainerID)

	mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: inst, Prior: created.New}, progressLog(t)))
	if _, err := cli.ContainerInspect(ctx, id); !cerrdefs.IsNotFound(err) {
		t.Fatalf("container %s still exists after Delete (inspect error %v)", id, err)
	}

	// The image exists and is found, not rebuilt.
	var built []string
	again := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config},
		func(format string, args ...any) { built = append(built, format) })
	mustNoErrors(t, again.Diagnostics)
	for _, line := range built {
		if line == "building image %s from %s" {
			t.Errorf("the same binary was built again")
		}
	}
	if got, want := shape.String(again.New.Placement, attrImageID), shape.String(created.New.Placement, attrImageID); got != want {
		t.Errorf("image id %s, want the same image %s", got, want)
	}
}
