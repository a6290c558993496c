package docker

import (
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// TestObserveShowsDrift creates a container, checks that the bulk Observe right after
// reports exactly the state (no phantom drift), changes its resources behind rampart's
// back with the engine's update call, and checks that Observe and Plan show the change
// attribute by attribute.
func TestObserveShowsDrift(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.drift", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "drift.example"), Placement: dockerPlacement(map[string]cty.Value{
		attrMemory: cty.StringVal("64M"),
		attrCPUs:   cty.NumberFloatVal(0.5),
		attrEnv:    cty.MapValEmpty(cty.String), // empty and null are the same
	})}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
	mustNoErrors(t, created.Diagnostics)
	state := *created.New
	observe := func() *protocol.Observed {
		t.Helper()
		resp := p.Observe(ctx, &protocol.ObserveRequest{Placement: PlacementType,
			Instances: []*protocol.ObserveInstance{{Instance: inst, Prior: state}}})
		mustNoErrors(t, resp.Diagnostics)
		obs := resp.Observed[inst.Address]
		if obs == nil || obs.Value == nil {
			t.Fatal("Observe: container not found")
		}
		return obs
	}
	if obs := observe(); !obs.Value.Placement.RawEquals(state.Placement) {
		t.Fatalf("Observe right after apply differs from state:\n got %#v\nwant %#v", obs.Value.Placement, state.Placement)
	}

	id := shape.String(state.Placement, attrContainerID)
	if _, err := cli.ContainerUpdate(ctx, id, container.UpdateConfig{Resources: container.Resources{
		Memory: 96 << 20, MemorySwap: 300 << 20, NanoCPUs: 1e9}}); err != nil {
		t.Fatalf("docker update: %v", err)
	}
	obs := observe()
	if got := shape.String(obs.Value.Placement, attrMemory); got != "96M" {
		t.Errorf("observed memory = %q, want 96M", got)
	}
	if got := nanoCPUs(shape.Attr(obs.Value.Placement, attrCPUs)); got != 1e9 {
		t.Errorf("observed cpus = %d nano, want 1e9", got)
	}
	drifted := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config, Prior: &state, Observed: obs.Value})
	mustNoErrors(t, drifted.Diagnostics)
	var paths []string
	for _, path := range drifted.RequiresReplace {
		paths = append(paths, path[len(path)-1].(cty.GetAttrStep).Name)
	}
	for _, want := range []string{attrMemory, attrCPUs, attrMemorySwap} {
		if !strings.Contains(strings.Join(paths, ","), want) {
			t.Errorf("plan after docker update: RequiresReplace %v lacks %s (details %v)", paths, want, drifted.Details)
		}
	}
}

// TestMergeObserved checks the comparison of a container's settings with state without
// an engine: equal meanings keep the state's spelling, real differences show, and for
// the container rampart created only the settings docker update can change are read.
func TestMergeObserved(t *testing.T) {
	prior := dockerPlacement(map[string]cty.Value{
		attrMemory:         cty.StringVal("512M"),
		attrEnv:            cty.MapVal(map[string]cty.Value{"MODE": cty.StringVal("strict")}),
		attrPorts:          cty.MapVal(map[string]cty.Value{"18080": cty.NumberIntVal(8080)}),
		attrManagedNetwork: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("shop_net"), "subnet": cty.NullVal(cty.String), "internal": cty.NullVal(cty.Bool)})}),
	})
	same := map[string]cty.Value{
		attrMemory:  cty.StringVal("536870912"),
		attrEnv:     cty.MapVal(map[string]cty.Value{"MODE": cty.StringVal("strict")}),
		attrPorts:   cty.MapVal(map[string]cty.Value{"18080": cty.NumberIntVal(8080)}),
		attrNetwork: cty.StringVal("shop_net"), // created on its managed network
	}
	for _, recreated := range []bool{false, true} {
		if got := mergeObserved(prior, same, recreated); !got.RawEquals(prior) {
			t.Errorf("recreated=%v: equal settings give %#v, want the prior value", recreated, got)
		}
	}
	changed := map[string]cty.Value{
		attrMemory: cty.StringVal("1G"),
		attrEnv:    cty.MapVal(map[string]cty.Value{"MODE": cty.StringVal("learn")}),
		attrPorts:  cty.MapVal(map[string]cty.Value{"18081": cty.NumberIntVal(8080)}),
	}
	own := mergeObserved(prior, changed, false)
	if shape.String(own, attrMemory) != "1G" {
		t.Errorf("memory changed by docker update not observed: %#v", shape.Attr(own, attrMemory))
	}
	if !shape.Attr(own, attrEnv).RawEquals(shape.Attr(prior, attrEnv)) {
		t.Errorf("env of the container rampart created was read back although it cannot change")
	}
	other := mergeObserved(prior, changed, true)
	for _, name := range []string{attrEnv, attrPorts, attrMemory} {
		if !shape.Attr(other, name).RawEquals(changed[name]) {
			t.Errorf("recreated container: %s = %#v, want %#v", name, shape.Attr(other, name), changed[name])
		}
	}
}
