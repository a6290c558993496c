package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Plan proposes the new state of one instance: create it, leave it alone, reload it in
// place (archive copy + SIGHUP) or replace the container, depending on what changed.
func (p *placement) Plan(ctx context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	resp := &protocol.PlanResponse{}
	config := req.Config
	if config.Runtime.IsNull() {
		p.tally.record(req.Instance.Address, nil)
		resp.Planned = config
		return resp
	}
	kind, diags := lookupKind(req.Instance.Kind)
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	if _, diags := capAdd(config.Placement); diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	if diags := p.checkOvercommit(ctx, req.Instance, config.Placement); diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	// The image reference is known at plan time: the user's image, or the tag of the
	// one built from the runtime binary (a missing build shows up in `plan`).
	var ref string
	if shape.Attr(config.Placement, attrImage).IsKnown() {
		ref, _, diags = p.imageRef(kind, config.Placement)
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
	var desired appliance.Config
	if plain, _ := config.Runtime.UnmarkDeep(); (observed == nil || len(changed) > 0) && plain.IsWhollyKnown() {
		rendered, diags := runtimes.Render(kind, config.Runtime)
		if diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
		if diags := checkAdminListen(rendered.Parsed); diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
		desired = rendered.Parsed
	}
	fresh := func() protocol.InstanceValue {
		computed := map[string]cty.Value{}
		if ref != "" {
			computed[attrImageRef] = cty.StringVal(ref)
		}
		return protocol.InstanceValue{Runtime: config.Runtime, Placement: shape.Value(config.Placement, computed)}
	}
	if observed == nil {
		resp.Planned = fresh()
		return resp
	}
	replace := replaceReasons(kind, desired, ref, len(changed) > 0, config, *observed)
	if len(replace.paths) > 0 {
		resp.RequiresReplace = replace.paths
		resp.Details = replace.details
		resp.Planned = fresh()
		return resp
	}
	if len(changed) == 0 {
		resp.Planned = *observed
		return resp
	}
	resp.Details = []string{fmt.Sprintf("copy the new configuration and reload with SIGHUP: %s changed", strings.Join(changed, ", "))}
	resp.Planned = protocol.InstanceValue{
		Runtime:   config.Runtime,
		Placement: shape.Value(config.Placement, shape.ComputedOf(observed.Placement)),
	}
	return resp
}

// replacePlan is why an existing instance needs a new container.
type replacePlan struct {
	paths   []cty.Path
	details []string
}

func (r *replacePlan) add(path cty.Path, detail string) {
	r.paths = append(r.paths, path)
	r.details = append(r.details, "replace: "+detail)
}

// replaceReasons lists what a reload cannot apply: runtime settings read only at
// start-up (RestartFields), any placement attribute (Docker fixes them at creation) and
// a different image (a rebuilt runtime binary gets a new tag).
func replaceReasons(kind appliance.Kind, desired appliance.Config, ref string, runtimeChanged bool, config, observed protocol.InstanceValue) replacePlan {
	var r replacePlan
	runtimePath := cty.GetAttrPath("runtime")
	switch {
	case !runtimeChanged:
	case desired == nil:
		r.add(runtimePath, "runtime configuration is known only after apply")
	default:
		prev := parseRunning(kind, observed.Runtime)
		if prev == nil {
			r.add(runtimePath, "the running configuration cannot be read back")
			break
		}
		fields := desired.RestartFields(prev)
		for _, field := range fields {
			path := runtimePath
			for _, name := range strings.Split(field, ".") {
				path = path.GetAttr(name)
			}
			r.paths = append(r.paths, path)
		}
		if len(fields) > 0 {
			r.details = append(r.details, fmt.Sprintf("replace: %s changed", strings.Join(fields, ", ")))
		}
	}
	placementPath := cty.GetAttrPath("placement")
	for _, name := range userAttrs {
		if name == attrOvercommit {
			continue // a plan-time guard, not a container setting
		}
		if !placementAttrEqual(name, observed.Placement, config.Placement) {
			r.add(placementPath.GetAttr(name), name+" changed")
		}
	}
	if running := shape.String(observed.Placement, attrImageRef); ref != "" && running != ref {
		r.add(placementPath.GetAttr(attrImageRef), fmt.Sprintf("image %s → %s", running, ref))
	}
	return r
}

// parseRunning parses the configuration an instance was observed with; nil when it
// cannot be read back.
func parseRunning(kind appliance.Kind, runtime cty.Value) appliance.Config {
	plain, _ := runtime.UnmarkDeep()
	if plain.IsNull() || !plain.IsWhollyKnown() {
		return nil
	}
	data, err := ctyjson.Marshal(plain, plain.Type())
	if err != nil {
		return nil
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		return nil
	}
	return parsed
}
