package docker

import (
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// TestImportAdoptsAContainer creates a container through Apply, forgets it, imports it
// by name and plans the same configuration: no change. A container that is not a
// rampart runtime is refused.
func TestImportAdoptsAContainer(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.shop", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "shop.example"), Placement: dockerPlacement(map[string]cty.Value{
		attrPorts:      cty.MapVal(map[string]cty.Value{"18089": cty.NumberIntVal(8080)}),
		attrEnv:        cty.MapVal(map[string]cty.Value{"SHOP_MODE": cty.StringVal("strict")}),
		attrMemory:     cty.StringVal("64M"),
		attrCPUs:       cty.NumberFloatVal(0.5),
		attrPidsLimit:  cty.NumberIntVal(64),
		attrCapAdd:     cty.ListVal([]cty.Value{cty.StringVal("NET_RAW")}),
		attrMemorySwap: cty.StringVal("128M"),
	})}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
	mustNoErrors(t, created.Diagnostics)
	name := shape.String(created.New.Placement, attrContainerName)
	info, err := cli.ContainerInspect(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if hc := info.HostConfig; len(hc.CapAdd) != 1 || strings.TrimPrefix(hc.CapAdd[0], "CAP_") != "NET_RAW" || hc.PidsLimit == nil || *hc.PidsLimit != 64 ||
		hc.MemorySwap != 128<<20 || hc.Memory != 64<<20 || hc.NanoCPUs != 5e8 {
		t.Errorf("host config: cap_add %v, pids_limit %v, memory %d, memory_swap %d, nano_cpus %d",
			hc.CapAdd, hc.PidsLimit, hc.Memory, hc.MemorySwap, hc.NanoCPUs)
	}

	// The state is forgotten; the import finds everything back by the name alone.
	imp := p.Import(ctx, &protocol.ImportRequest{Instance: inst, ID: "docker:" + name})
	mustNoErrors(t, imp.Diagnostics)
	imported := *imp.Imported
	runtime, err := convert.Convert(imported.Runtime, wafRuntimeType) // as the engine does
	if err != nil {
		t.Fatalf("imported runtime does not convert to the schema type: %v", err)
	}
	imported.Runtime = runtime
	for _, attr := range computedAttrs {
		if got, want := shape.Attr(imported.Placement, attr), shape.Attr(created.New.Placement, attr); !got.RawEquals(want) {
			t.Errorf("imported %s = %#v, want %#v", attr, got, want)
		}
	}
	noop := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config, Prior: &imported, Observed: &imported})
	mustNoErrors(t, noop.Diagnostics)
	if len(noop.RequiresReplace) > 0 || len(noop.Details) > 0 {
		t.Fatalf("plan after import is not a no-op: replace %v, details %v", noop.RequiresReplace, noop.Details)
	}

	// Observe finds the adopted container by the id in state, without rampart's labels.
	resp := p.Observe(ctx, &protocol.ObserveRequest{Placement: PlacementType, Instances: []*protocol.ObserveInstance{
		{Instance: protocol.Instance{Address: "waf.adopted", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}, Prior: imported},
	}})
	mustNoErrors(t, resp.Diagnostics)
	if obs := resp.Observed["waf.adopted"]; obs == nil || obs.Value == nil {
		t.Errorf("Observe does not find an imported container by its id")
	}

	// A container without /etc/rampart/config.json is not a rampart runtime.
	other, err := cli.ContainerCreate(ctx, &container.Config{
		Image: shape.String(created.New.Placement, attrImageRef), Cmd: []string{"/rampart-waf", "-version"},
		Labels: p.extraLabels,
	}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	bad := p.Import(ctx, &protocol.ImportRequest{Instance: inst, ID: other.ID})
	if !bad.Diagnostics.HasErrors() || !strings.Contains(bad.Diagnostics.Err().Error(), "not a rampart runtime") {
		t.Errorf("import of a container without config: %v, want a \"not a rampart runtime\" error", bad.Diagnostics.Err())
	}
	missing := p.Import(ctx, &protocol.ImportRequest{Instance: inst, ID: "rampart-no-such-" + randomHex(t, 4)})
	if !missing.Diagnostics.HasErrors() || !strings.Contains(missing.Diagnostics.Err().Error(), "no such container") {
		t.Errorf("import of a missing container: %v, want a \"no such container\" error", missing.Diagnostics.Err())
	}
}
