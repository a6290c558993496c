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

// TestDeleteRemovesContainer creates two containers from one binary and deletes them:
// the image is built once and reused by the second create (same binary, same tag), kept
// while a container uses it and removed with the last one.
func TestDeleteRemovesContainer(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	create := func(address string) (*protocol.ApplyResponse, []string) {
		t.Helper()
		inst := protocol.Instance{Address: address, Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
		config := protocol.InstanceValue{Runtime: wafRuntime(8080, "del.example"), Placement: dockerPlacement(nil)}
		plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
		mustNoErrors(t, plan.Diagnostics)
		var lines []string
		created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config},
			func(format string, args ...any) { lines = append(lines, format) })
		mustNoErrors(t, created.Diagnostics)
		return created, lines
	}
	first, _ := create("waf.del")
	second, lines := create("waf.del2")
	for _, line := range lines {
		if line == "building image %s from %s" {
			t.Errorf("the same binary was built again")
		}
	}
	imageID := shape.String(first.New.Placement, attrImageID)
	if got := shape.String(second.New.Placement, attrImageID); got != imageID {
		t.Errorf("image id %s, want the same image %s", got, imageID)
	}

	del := func(resp *protocol.ApplyResponse, address string) {
		t.Helper()
		inst := protocol.Instance{Address: address, Kind: "waf", Placement: PlacementType}
		mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: inst, Prior: resp.New}, progressLog(t)))
		id := shape.String(resp.New.Placement, attrContainerID)
		if _, err := cli.ContainerInspect(ctx, id); !cerrdefs.IsNotFound(err) {
			t.Fatalf("container %s still exists after Delete (inspect error %v)", id, err)
		}
	}
	del(first, "waf.del")
	if _, err := cli.ImageInspect(ctx, imageID); err != nil {
		t.Fatalf("image removed while waf.del2 still uses it: %v", err)
	}
	del(second, "waf.del2")
	if _, err := cli.ImageInspect(ctx, imageID); !cerrdefs.IsNotFound(err) {
		t.Fatalf("image %s left behind after the last container using it was deleted (inspect error %v)", shortID(imageID), err)
	}
}
