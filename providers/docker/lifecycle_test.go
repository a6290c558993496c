package docker

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
)

// TestContainerLifecycle drives one WAF container through the placement methods against
// the real engine: create, observe, reload in place, plan a replace, drift, delete.
func TestContainerLifecycle(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: `waf.shop["eu"]`, Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}

	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "shop.example"), Placement: dockerPlacement(nil)}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
	mustNoErrors(t, created.Diagnostics)
	state := *created.New
	id := shape.String(state.Placement, attrContainerID)
	ip := shape.String(state.Placement, attrAddress)
	if id == "" || net.ParseIP(ip) == nil {
		t.Fatalf("container_id %q, address %q: want both set", id, ip)
	}
	if got, want := shape.String(state.Placement, attrContainerName), containerName(inst); got != want {
		t.Errorf("container_name = %q, want %q", got, want)
	}

	// The container runs hardened.
	info, err := cli.ContainerInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !info.HostConfig.ReadonlyRootfs || info.Config.User != runtimeUser || len(info.HostConfig.CapDrop) != 1 || info.HostConfig.CapDrop[0] != "ALL" {
		t.Errorf("container not hardened: readonly %v, user %q, cap_drop %v", info.HostConfig.ReadonlyRootfs, info.Config.User, info.HostConfig.CapDrop)
	}
	if info.Config.Labels[labelAppliance] != inst.Address || info.Config.Labels[labelLineage] != inst.Lineage {
		t.Errorf("labels = %v", info.Config.Labels)
	}
	// Docker's health check is the runtime asking its own /healthz; run it as Docker would.
	if hc := info.Config.Healthcheck; hc == nil || len(hc.Test) < 2 || hc.Test[0] != "CMD" || hc.Test[len(hc.Test)-1] != "-healthcheck" {
		t.Fatalf("container health check = %+v, want CMD /rampart-waf ... -healthcheck", info.Config.Healthcheck)
	}
	if code := execExitCode(t, cli, id, info.Config.Healthcheck.Test[1:]); code != 0 {
		t.Errorf("the health check command exited %d in the running container, want 0", code)
	}

	// Observe finds it in one list call, unchanged; a plan right after is a no-op.
	observeStatus := func(wantStatus bool) *protocol.Observed {
		t.Helper()
		resp := p.Observe(ctx, &protocol.ObserveRequest{Placement: PlacementType, WantStatus: wantStatus,
			Instances: []*protocol.ObserveInstance{{Instance: inst, Prior: state}}})
		mustNoErrors(t, resp.Diagnostics)
		return resp.Observed[inst.Address]
	}
	observe := func() *protocol.Observed { t.Helper(); return observeStatus(false) }

	// What `rampart status` shows, asked through the container's address: healthy, its
	// pool member (127.0.0.1:9, nothing listens there) and its figures.
	if st := observeStatus(true).Status; st.Health != healthHealthy || !hasComponent(st.Components, "pool app: 127.0.0.1:9") || !hasFact(st.Facts, "members UP") {
		t.Fatalf("Observe with status: health %s, components %+v, facts %+v; want healthy, pool app's member, members UP", st.Health, st.Components, st.Facts)
	}
	// A plan does not ask the runtime.
	if st := observe().Status; st.Health != healthUnknown || st.Components != nil || st.Facts != nil {
		t.Errorf("Observe without status asked the runtime: %+v", st)
	}
	obs := observe()
	if obs == nil || obs.Value == nil {
		t.Fatal("Observe: container not found")
	}
	noop := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config, Prior: &state, Observed: obs.Value})
	mustNoErrors(t, noop.Diagnostics)
	if len(noop.RequiresReplace) > 0 || len(noop.Details) > 0 || !noop.Planned.Placement.RawEquals(obs.Value.Placement) {
		t.Fatalf("plan after apply is not a no-op: replace %v, details %v", noop.RequiresReplace, noop.Details)
	}

	// A reloadable change (a hostname) updates in place: same container, new config hash.
	reloaded := protocol.InstanceValue{Runtime: wafRuntime(8080, "shop2.example"), Placement: dockerPlacement(nil)}
	plan = p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: reloaded, Prior: &state, Observed: obs.Value})
	mustNoErrors(t, plan.Diagnostics)
	if len(plan.RequiresReplace) > 0 {
		t.Fatalf("hostname change plans a replace: %v", plan.Details)
	}
	updated := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Prior: &state, Planned: &plan.Planned, Config: &reloaded}, progressLog(t))
	mustNoErrors(t, updated.Diagnostics)
	if got := shape.String(updated.New.Placement, attrContainerID); got != id {
		t.Fatalf("container id changed on reload: %s → %s", id, got)
	}
	rendered, diags := runtimes.Render(mustKind(t), reloaded.Runtime)
	mustNoErrors(t, diags)
	st, err := runtimes.NewClient(net.JoinHostPort(ip, "9901"), "").Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ConfigSHA256 != rendered.SHA256() {
		t.Errorf("/status config_sha256 = %s, want %s", st.ConfigSHA256, rendered.SHA256())
	}
	state = *updated.New

	// Read reads the configuration back from the container: exactly what was applied.
	read := p.Read(ctx, &protocol.ReadRequest{Instance: inst, Current: state})
	mustNoErrors(t, read.Diagnostics)
	if read.Observed.Value == nil || !read.Observed.Value.Runtime.RawEquals(state.Runtime) {
		t.Errorf("Read does not give back the applied runtime configuration")
	}

	// A port change plans a replace, naming the attribute.
	ported := protocol.InstanceValue{Runtime: reloaded.Runtime, Placement: dockerPlacement(map[string]cty.Value{
		attrPorts: cty.MapVal(map[string]cty.Value{"18080": cty.NumberIntVal(8080)}),
	})}
	plan = p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: ported, Prior: &state, Observed: &state})
	mustNoErrors(t, plan.Diagnostics)
	if len(plan.RequiresReplace) != 1 || !plan.RequiresReplace[0].Equals(cty.GetAttrPath("placement").GetAttr(attrPorts)) {
		t.Errorf("port change: RequiresReplace = %#v, want placement.ports", plan.RequiresReplace)
	}

	// Removed behind rampart's back: Observe reports it gone.
	if err := cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		t.Fatal(err)
	}
	if obs := observe(); obs == nil || obs.Value != nil {
		t.Fatalf("Observe after docker rm -f: %+v, want gone", obs)
	}
	// Delete of something already gone succeeds.
	mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: inst, Prior: &state}, progressLog(t)))
}

// hasComponent reports whether a component of that name is among components.
func hasComponent(components []protocol.Component, name string) bool {
	for _, c := range components {
		if c.Name == name {
			return true
		}
	}
	return false
}

// hasFact reports whether a fact of that name is among facts.
func hasFact(facts []protocol.Fact, name string) bool {
	for _, f := range facts {
		if f.Name == name {
			return true
		}
	}
	return false
}

// execExitCode runs cmd in the container (as docker exec does) and returns its exit code.
func execExitCode(t *testing.T, cli *client.Client, id string, cmd []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := cli.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: cmd})
	if err != nil {
		t.Fatalf("exec %v: %v", cmd, err)
	}
	if err := cli.ContainerExecStart(ctx, created.ID, container.ExecStartOptions{Detach: true}); err != nil {
		t.Fatalf("start exec %v: %v", cmd, err)
	}
	for {
		inspected, err := cli.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			t.Fatalf("inspect exec %v: %v", cmd, err)
		}
		if !inspected.Running {
			return inspected.ExitCode
		}
		select {
		case <-ctx.Done():
			t.Fatalf("exec %v did not finish within 30s", cmd)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
