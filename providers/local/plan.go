package local

import (
	"context"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Plan proposes the new state of one instance: create it, leave it alone, reload it in
// place (SIGHUP) or replace it (restart), depending on what changed.
func (p *placement) Plan(_ context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	resp := &protocol.PlanResponse{}
	config := req.Config
	if config.Runtime.IsNull() {
		// Nothing desired: the engine plans deletes without us, but stay well-defined.
		resp.Planned = config
		return resp
	}
	kind, diags := runtimes.LookupKind("local", req.Instance.Kind)
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}

	// The binary must exist before anything is planned: a missing build is the most
	// likely first-run mistake and should show up in `plan`, not half-way through apply.
	binaryAttr := shape.Attr(config.Placement, attrBinary)
	var binary runtimes.Binary
	if binaryAttr.IsKnown() {
		binary, diags = resolveBinary(kind.Binary, shape.String(config.Placement, attrBinary))
		if diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
	}

	observed := req.Observed
	var changed []string
	if observed != nil {
		changed = sdk.ChangedAttributes(observed.Runtime, config.Runtime)
	}
	// Validate what is going to be written (an unchanged configuration already runs).
	// desired stays nil when nothing changed or while values are known only after apply.
	var desired appliance.Config
	if plain, _ := config.Runtime.UnmarkDeep(); (observed == nil || len(changed) > 0) && plain.IsWhollyKnown() {
		rendered, diags := runtimes.Render(kind, config.Runtime)
		if diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
		desired = rendered.Parsed
	}
	// A new process gets new computed attributes; the admin address is known already
	// when the configuration is.
	fresh := func() protocol.InstanceValue {
		computed := map[string]cty.Value{}
		if desired != nil {
			computed[attrAdmin] = cty.StringVal(desired.AdminListen())
		} else if observed != nil && len(changed) == 0 {
			computed[attrAdmin] = shape.Attr(observed.Placement, attrAdmin)
		}
		return protocol.InstanceValue{Runtime: config.Runtime, Placement: shape.Value(config.Placement, computed)}
	}

	if observed == nil {
		resp.Planned = fresh()
		return resp
	}
	restart := p.restartReasons(kind, desired, binary, binaryAttr.IsKnown(), len(changed) > 0, config, *observed)
	if len(restart.Paths) > 0 {
		resp.RequiresReplace = restart.Paths
		resp.Details = restart.Details
		resp.Planned = fresh()
		return resp
	}
	if len(changed) == 0 {
		// Exactly the observed value, so the engine sees a no-op.
		resp.Planned = *observed
		return resp
	}
	resp.Details = []string{fmt.Sprintf("reload with SIGHUP: %s changed", strings.Join(changed, ", "))}
	resp.Planned = protocol.InstanceValue{
		Runtime:   config.Runtime,
		Placement: shape.Value(config.Placement, shape.ComputedOf(observed.Placement)),
	}
	return resp
}

// restartReasons compares the desired configuration with the running instance and lists
// what a reload cannot apply: settings the runtime reads only at start-up
// (RestartFields), the binary, its environment, or a rebuilt binary.
func (p *placement) restartReasons(kind appliance.Kind, desired appliance.Config, binary runtimes.Binary, binaryKnown, runtimeChanged bool, config, observed protocol.InstanceValue) runtimes.Reasons {
	r := runtimes.Reasons{Verb: "restart"}
	r.AddRuntime(kind, desired, observed.Runtime, runtimeChanged)

	placementPath := cty.GetAttrPath("placement")
	if !protocol.ValuesEqual(shape.Attr(observed.Placement, attrBinary), shape.Attr(config.Placement, attrBinary)) {
		r.Add(placementPath.GetAttr(attrBinary), "binary changed")
	}
	if !protocol.ValuesEqual(shape.Attr(observed.Placement, attrEnv), shape.Attr(config.Placement, attrEnv)) {
		r.Add(placementPath.GetAttr(attrEnv), "env changed")
	}
	if running := shape.String(observed.Placement, attrBinarySHA256); binaryKnown && running != binary.SHA256 {
		r.Add(placementPath.GetAttr(attrBinarySHA256),
			fmt.Sprintf("%s binary changed (sha256 %s → %s)", kind.Binary, runtimes.ShortHash(running), runtimes.ShortHash(binary.SHA256)))
	}
	return r
}
