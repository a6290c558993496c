package engine

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// InstanceStatus is one row of `rampart status`.
type InstanceStatus struct {
	Address  string `json:"address"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"`
	Health   string `json:"health"`   // from the provider's observation; "gone" when it no longer runs
	Endpoint string `json:"endpoint"` // where the appliance serves
	Detail   string `json:"detail"`
	// Components are the parts with a health of their own, e.g. a WAF's pool members.
	Components []protocol.Component `json:"components,omitempty"`
	// Facts are the appliance's figures at a glance (a gateway's unique client IPs).
	Facts []protocol.Fact `json:"facts,omitempty"`
}

// refreshOnly configures the providers of every state instance and observes them, without
// planning. Appliance values in scope come from state so references still evaluate.
func (e *Engine) refreshOnly(ctx context.Context, wantStatus bool) (*walkRun, *state.State, hcl.Diagnostics) {
	prior, err := e.loadState(ctx)
	if err != nil {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read state", Detail: err.Error()}}
	}
	diags := e.prepareProviders(ctx, prior)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	r := &walkRun{e: e, mode: modeRefreshOnly, scope: newScope(e.opts.Dir, e.vars), prior: prior, observe: true, wantStatus: wantStatus}
	r.visitAppliance = func(a *schema.Appliance, _ *providerInstance, _ *protocol.PlacementSchema, _ *hcl.EvalContext) hcl.Diagnostics {
		r.scope.setAppliance(a.Kind, a.Name, stateValue(prior, a))
		return nil
	}
	diags = append(diags, r.run(ctx)...)
	return r, prior, diags
}

// stateValue is an appliance's value as recorded in state, for references.
func stateValue(s *state.State, a *schema.Appliance) cty.Value {
	values := map[InstanceKey]cty.Value{}
	exp := expansion{eachValues: map[string]cty.Value{}}
	for _, inst := range s.Instances {
		ia, err := ParseInstanceAddr(inst.Address)
		if err != nil || ia.Kind != a.Kind || ia.Name != a.Name {
			continue
		}
		exp.keys = append(exp.keys, ia.Key)
		values[ia.Key] = referenceValue(splitValue(inst.Value), inst.Placement)
	}
	if len(exp.keys) == 0 {
		return cty.DynamicVal
	}
	return collect(a, exp, values)
}

// Status observes every appliance in state and reports its health and address.
func (e *Engine) Status(ctx context.Context) ([]InstanceStatus, hcl.Diagnostics) {
	_, prior, diags := e.refreshOnly(ctx, true)
	if diags.HasErrors() {
		return nil, diags
	}
	var rows []InstanceStatus
	for _, inst := range prior.Instances {
		row := InstanceStatus{Address: inst.Address, Kind: inst.Kind, Provider: inst.Provider, Health: "unknown"}
		if p := e.providers.get(inst.Provider); p != nil && p.observation != nil {
			o := p.observation.wait().observed[inst.Address]
			if o == nil || o.Value == nil {
				row.Health = "gone"
				row.Detail = "not running; rampart plan will re-create it"
			} else {
				row.Health = o.Status.Health
				row.Endpoint = o.Status.Address
				row.Detail = o.Status.Detail
				row.Components = o.Status.Components
				row.Facts = o.Status.Facts
				if row.Health == "" {
					row.Health = "unknown"
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, diags
}

// Import adopts an appliance that already runs into state at addr, through the provider's
// Import. The configuration must declare the appliance.
func (e *Engine) Import(ctx context.Context, address, id string) hcl.Diagnostics {
	ia, err := ParseInstanceAddr(address)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: err.Error()}}
	}
	a := e.applianceFor(address)
	if a == nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Appliance not in configuration",
			Detail: fmt.Sprintf("Declare %s %q in a .hcl file before importing %s, so rampart knows how it should be configured.", ia.Kind, ia.Name, address)}}
	}
	if (a.Count != nil) != (ia.Key.kind == intKey) || (a.ForEach != nil) != (ia.Key.kind == stringKey) {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Address does not match the configuration",
			Detail:  fmt.Sprintf("%s uses %s; give an address like %s.", a.Addr(), expansionHint(a), exampleAddr(a)),
			Subject: a.DeclRange.Ptr()}}
	}
	r, prior, diags := e.refreshOnly(ctx, false)
	if diags.HasErrors() {
		return diags
	}
	if prior.Instance(address) != nil {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Already managed",
			Detail: fmt.Sprintf("%s is already in state. To import again, first run: rampart state rm %s", address, address)})
	}
	paddr, _, _ := providerAddr(a)
	p := e.providers.get(paddr)
	ptype := placementTypeOf(a)
	ps, d := p.placementSchema(ptype, a.Kind, placementRange(a))
	if d.HasErrors() {
		return append(diags, d...)
	}
	if prefix := ptype + ":"; len(id) > len(prefix) && id[:len(prefix)] == prefix {
		id = id[len(prefix):]
	}
	resp := p.conn.Import(ctx, &protocol.ImportRequest{
		Instance: protocol.Instance{Address: address, Kind: a.Kind, Placement: ptype, Lineage: prior.Lineage},
		ID:       id,
	})
	diags = append(diags, providerDiags(resp.Diagnostics, p.addr, address, placementRange(a))...)
	if resp.Diagnostics.HasErrors() {
		return diags
	}
	if resp.Imported == nil {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Nothing to import",
			Detail: fmt.Sprintf("Provider %s found nothing with id %q.", p.addr, id)})
	}
	// A provider may not know the runtime's exact type (it reads a JSON file); convert to
	// the schema's types so the next plan compares like with like.
	imported := *resp.Imported
	if rt, err := convert.Convert(imported.Runtime, schema.RuntimeType(a.Kind)); err == nil {
		imported.Runtime = rt
	} else {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Imported configuration does not fit",
			Detail: fmt.Sprintf("The configuration %s runs with is not a valid %s configuration: %v", address, a.Kind, err)})
	}
	if pl, err := convert.Convert(imported.Placement, ps.Block.ImpliedType()); err == nil {
		imported.Placement = pl
	}
	e.states.SetInstance(&state.Instance{
		Address: address, Kind: a.Kind, Provider: p.addr, Placement: ptype, SchemaVersion: ps.Version,
		Value: joinValue(&imported), Private: resp.Private, Dependencies: r.applianceDeps[a.Addr()],
	})
	if err := e.states.Persist(ctx); err != nil {
		return append(diags, persistFailed(err))
	}
	return diags
}

func expansionHint(a *schema.Appliance) string {
	switch {
	case a.Count != nil:
		return "count"
	case a.ForEach != nil:
		return "for_each"
	}
	return "neither count nor for_each"
}

func exampleAddr(a *schema.Appliance) string {
	switch {
	case a.Count != nil:
		return a.Addr() + "[0]"
	case a.ForEach != nil:
		return a.Addr() + `["key"]`
	}
	return a.Addr()
}

// Validate checks the configuration without touching infrastructure: structure, types,
// references, runtime contracts and the providers' placement schemas. Variables without
// values are treated as unknown.
func (e *Engine) Validate(ctx context.Context) hcl.Diagnostics {
	diags := e.prepareProviders(ctx, nil)
	if diags.HasErrors() {
		return diags
	}
	unknownVars := map[string]cty.Value{}
	for name, v := range e.config.Variables {
		unknownVars[name] = cty.UnknownVal(v.Type)
	}
	r := &walkRun{e: e, mode: modeValidate, scope: newScope(e.opts.Dir, unknownVars), outputs: map[string]cty.Value{}}
	r.visitAppliance = func(a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, evalCtx *hcl.EvalContext) hcl.Diagnostics {
		ictx := evalCtx
		switch {
		case a.Count != nil:
			ictx = evalCtx.NewChild()
			ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})}
		case a.ForEach != nil:
			ictx = evalCtx.NewChild()
			ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})}
		}
		v, d := desiredValue(a, ps, ictx)
		r.scope.setAppliance(a.Kind, a.Name, cty.DynamicVal)
		if d.HasErrors() {
			return d
		}
		pd := p.conn.ValidateConfig(ctx, &protocol.ValidateRequest{Block: placementTypeOf(a), Kind: a.Kind, Config: v.Placement})
		return append(d, providerDiags(pd, p.addr, a.Addr(), placementRange(a))...)
	}
	return append(diags, r.run(ctx)...)
}
