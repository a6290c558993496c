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
	kind, diags := runtimes.LookupKind("docker", req.Instance.Kind)
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	for _, check := range []func(cty.Value) protocol.Diagnostics{
		func(pl cty.Value) protocol.Diagnostics { _, d := capAdd(pl); return d },
		func(pl cty.Value) protocol.Diagnostics { _, d := managedNetworks(pl); return d },
		func(pl cty.Value) protocol.Diagnostics { _, d := volumeMounts(pl); return d },
	} {
		if diags := check(config.Placement); diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
	}
	if diags := p.checkOvercommit(ctx, req.Instance, config.Placement); diags.HasErrors() {
		resp.Diagnostics = diags
		return resp
	}
	// The image reference is known at plan time: the user's image, or the tag of the
	// one built from the runtime binary (a missing build shows up in `plan`).
	var src imageSource
	if shape.Attr(config.Placement, attrImage).IsKnown() && shape.Attr(config.Placement, attrImageArchive).IsKnown() {
		src, diags = p.imageRef(kind, config.Placement)
		if diags.HasErrors() {
			resp.Diagnostics = diags
			return resp
		}
	}
	ref := src.ref

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
	replace := replaceReasons(kind, desired, src, len(changed) > 0, config, *observed)
	if len(replace.Paths) > 0 {
		resp.RequiresReplace = replace.Paths
		resp.Details = replace.Details
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

// replaceReasons lists what a reload cannot apply: runtime settings read only at
// start-up (RestartFields), any placement attribute (Docker fixes them at creation) and
// a different image (a rebuilt runtime binary gets a new tag).
func replaceReasons(kind appliance.Kind, desired appliance.Config, src imageSource, runtimeChanged bool, config, observed protocol.InstanceValue) runtimes.Reasons {
	ref := src.ref
	r := runtimes.Reasons{Verb: "replace"}
	r.AddRuntime(kind, desired, observed.Runtime, runtimeChanged)
	placementPath := cty.GetAttrPath("placement")
	for _, name := range userAttrs {
		if name == attrOvercommit {
			continue // a plan-time guard, not a container setting
		}
		if !placementAttrEqual(name, observed.Placement, config.Placement) {
			r.Add(placementPath.GetAttr(name), name+" changed")
		}
	}
	if running := shape.String(observed.Placement, attrImageRef); ref != "" && running != ref {
		r.Add(placementPath.GetAttr(attrImageRef), fmt.Sprintf("image %s → %s", running, ref))
	} else if running := shape.String(observed.Placement, attrImageID); src.archiveID != "" && running != "" && running != src.archiveID {
		r.Add(placementPath.GetAttr(attrImageID), fmt.Sprintf("image_archive holds image %s, the container runs %s", shortID(src.archiveID), shortID(running)))
	}
	return r
}
