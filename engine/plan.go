package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
	"github.com/rampart-sec/rampart/version"
	"github.com/zclconf/go-cty/cty"
)

// PlanOptions select the kind of plan.
type PlanOptions struct {
	Destroy bool // plan to delete everything in state
}

// Plan refreshes what exists (unless Options.Refresh is false) and proposes the changes that
// make it match the configuration.
func (e *Engine) Plan(ctx context.Context, opts PlanOptions) (*plans.Plan, hcl.Diagnostics) {
	// Starting the configuration's provider plugins does not need state: both go on
	// at once. Providers only the state still names start once it is read.
	type loaded struct {
		state *state.State
		err   error
	}
	stateCh := make(chan loaded, 1)
	go func() {
		s, err := e.loadState(ctx)
		stateCh <- loaded{s, err}
	}()
	diags := e.prepareConfigProviders(ctx)
	got := <-stateCh
	if got.err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read state", Detail: got.err.Error()})
	}
	prior := got.state
	if diags.HasErrors() {
		return nil, diags
	}
	diags = append(diags, e.prepareStateProviders(ctx, prior)...)
	if diags.HasErrors() {
		return nil, diags
	}
	pr := &planRun{changes: map[string]*plans.Change{}}
	r := &walkRun{
		e: e, mode: modePlan, scope: newScope(e.opts.Dir, e.vars), prior: prior,
		observe: e.opts.Refresh, outputs: map[string]cty.Value{},
	}
	if opts.Destroy {
		r.mode = modeDestroy
		r.skipAppliances()
	} else {
		r.visitAppliance = func(a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, ctx2 *hcl.EvalContext) hcl.Diagnostics {
			return pr.planAppliance(ctx, r, a, p, ps, ctx2)
		}
	}
	diags = append(diags, r.run(ctx)...)
	if diags.HasErrors() {
		return nil, diags
	}

	p := &plans.Plan{
		RampartVersion: version.Version,
		CreatedAt:      time.Now().UTC(),
		ConfigHash:     e.ConfigHash(),
		StateLineage:   planLineage(prior),
		StateSerial:    prior.Serial,
		Destroy:        opts.Destroy,
		Variables:      e.planVariables(),
	}
	// Instances in state that the configuration no longer produces (or all of them, for
	// destroy) are deleted.
	for _, inst := range prior.Instances {
		if _, planned := pr.changes[inst.Address]; planned {
			continue
		}
		before, gone := r.observedOrPrior(inst)
		c := &plans.Change{
			Address: inst.Address, Kind: inst.Kind, Provider: inst.Provider, Placement: inst.Placement,
			Action: plans.Delete, Before: before, After: cty.NullVal(before.Type()),
			Private: inst.Private, Dependencies: inst.Dependencies, Reason: "no longer in configuration",
		}
		if opts.Destroy {
			c.Reason = ""
		}
		if gone {
			// Already gone: apply only has to forget it.
			c.Reason = "already deleted outside rampart"
		}
		if a := e.applianceFor(inst.Address); a != nil && a.Lifecycle.PreventDestroy {
			diags = append(diags, preventDestroy(inst.Address, a))
		}
		pr.changes[inst.Address] = c
	}
	if diags.HasErrors() {
		return nil, diags
	}
	for _, c := range pr.changes {
		p.Changes = append(p.Changes, c)
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Address < p.Changes[j].Address })
	p.Drift = pr.drift
	sort.Slice(p.Drift, func(i, j int) bool { return p.Drift[i].Address < p.Drift[j].Address })
	p.Outputs = planOutputs(prior, r.outputs, e.config, opts.Destroy)
	return p, diags
}

// planRun collects the results of planning appliance instances concurrently.
type planRun struct {
	mu      sync.Mutex
	changes map[string]*plans.Change
	drift   []*plans.Drift
	shared  map[*schema.Appliance]*sharedRuntime // runtime values evaluated once per appliance
}

func (e *Engine) applianceFor(addr string) *schema.Appliance {
	ia, err := ParseInstanceAddr(addr)
	if err != nil {
		return nil
	}
	for _, a := range e.config.Appliances {
		if a.Kind == ia.Kind && a.Name == ia.Name {
			return a
		}
	}
	return nil
}

func preventDestroy(addr string, a *schema.Appliance) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Instance cannot be destroyed",
		Detail: fmt.Sprintf("%s has lifecycle { prevent_destroy = true }, but this plan would destroy it. "+
			"Remove prevent_destroy (or change the configuration so it is not replaced) if you really mean it.", addr),
		Subject: a.DeclRange.Ptr(),
	}
}

// observedOrPrior returns what refresh saw of a state instance, or the recorded value when
// refresh did not run; gone reports that refresh found it missing.
func (r *walkRun) observedOrPrior(inst *state.Instance) (v cty.Value, gone bool) {
	v, gone, _ = r.observedOf(inst)
	return v, gone
}

// observedOf is observedOrPrior that also says when the value is known to be exactly
// the recorded one: refresh did not run, or the provider said nothing changed.
func (r *walkRun) observedOf(inst *state.Instance) (v cty.Value, gone, unchanged bool) {
	if !r.observe {
		return inst.Value, false, true
	}
	p := r.e.providers.get(inst.Provider)
	if p == nil || p.observation == nil {
		return inst.Value, false, true
	}
	o := p.observation.wait().observed[inst.Address]
	if o == nil || o.Value == nil {
		return inst.Value, true, false
	}
	if o.ValueIsPrior {
		return inst.Value, false, true
	}
	return joinValue(o.Value), false, false
}

// planAppliance expands one appliance block and plans each of its instances, in parallel.
func (pr *planRun) planAppliance(ctx context.Context, r *walkRun, a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, evalCtx *hcl.EvalContext) hcl.Diagnostics {
	return r.eachInstance(a, evalCtx, func(addr InstanceAddr, ictx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
		return pr.planInstance(ctx, r, a, p, ps, addr, ictx)
	})
}

// desiredValue evaluates an instance's runtime and placement configuration.
func desiredValue(a *schema.Appliance, ps *protocol.PlacementSchema, ctx *hcl.EvalContext) (protocol.InstanceValue, hcl.Diagnostics) {
	runtimeVal, diags := runtimeValue(a, ctx)
	if diags.HasErrors() {
		return protocol.InstanceValue{}, diags
	}
	return placementValue(a, ps, runtimeVal, diags, ctx)
}

// runtimeValue evaluates an instance's runtime configuration (the appliance block's
// body but its placement block) and checks it.
func runtimeValue(a *schema.Appliance, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	runtimeVal, diags := hcldec.Decode(a.Runtime, schema.RuntimeSpec(a.Kind), ctx)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	runtimeVal = schema.MarkSensitive(a.Kind, runtimeVal)
	diags = append(diags, schema.ValidateRuntime(a, runtimeVal)...)
	return runtimeVal, diags
}

// placementValue evaluates the placement block and completes the instance's value.
func placementValue(a *schema.Appliance, ps *protocol.PlacementSchema, runtimeVal cty.Value, diags hcl.Diagnostics, ctx *hcl.EvalContext) (protocol.InstanceValue, hcl.Diagnostics) {
	body := hcl.EmptyBody()
	if a.Placement != nil {
		body = a.Placement.Body
	}
	placementVal, d := hcldec.Decode(body, ps.Block.DecoderSpec(), ctx)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return protocol.InstanceValue{}, diags
	}
	return protocol.InstanceValue{Runtime: runtimeVal, Placement: ps.Block.ConfigValue(placementVal)}, diags
}

// sharedRuntime is the runtime value of an appliance whose instances all have the same
// one: its body refers to neither each nor count, and every function rampart offers is
// pure, so evaluating it once per instance would give the same value each time. A
// for_each of 200 then decodes the (large) runtime body once instead of 200 times.
type sharedRuntime struct {
	perInstance bool // the body uses each or count: no sharing
	once        sync.Once
	value       cty.Value
	marked      bool // protocol.ContainsMarked(value), asked once
	diags       hcl.Diagnostics
}

// instanceRuntime returns the runtime value of one instance of a, evaluating it once for
// all instances when it cannot differ between them, and whether it holds marks.
func (pr *planRun) instanceRuntime(a *schema.Appliance, ctx *hcl.EvalContext) (cty.Value, bool, hcl.Diagnostics) {
	if a.Count == nil && a.ForEach == nil {
		return markedRuntimeValue(a, ctx)
	}
	pr.mu.Lock()
	if pr.shared == nil {
		pr.shared = map[*schema.Appliance]*sharedRuntime{}
	}
	shared := pr.shared[a]
	if shared == nil {
		shared = &sharedRuntime{perInstance: refersToInstance(a)}
		pr.shared[a] = shared
	}
	pr.mu.Unlock()
	if shared.perInstance {
		return markedRuntimeValue(a, ctx)
	}
	first := false
	shared.once.Do(func() {
		first = true
		shared.value, shared.marked, shared.diags = markedRuntimeValue(a, ctx)
	})
	if !first && shared.diags.HasErrors() {
		// Reported once, by the instance that evaluated it; the others only stop.
		return cty.NilVal, false, hcl.Diagnostics{}
	}
	return shared.value, shared.marked, shared.diags
}

func markedRuntimeValue(a *schema.Appliance, ctx *hcl.EvalContext) (cty.Value, bool, hcl.Diagnostics) {
	v, diags := runtimeValue(a, ctx)
	return v, v != cty.NilVal && protocol.ContainsMarked(v), diags
}

// refersToInstance says whether the runtime body of a uses each.* or count.*.
func refersToInstance(a *schema.Appliance) bool {
	for _, t := range hcldec.Variables(a.Runtime, schema.RuntimeSpec(a.Kind)) {
		if root := t.RootName(); root == "each" || root == "count" {
			return true
		}
	}
	return false
}

func (pr *planRun) planInstance(ctx context.Context, r *walkRun, a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, addr InstanceAddr, evalCtx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	address := addr.String()
	placementType := placementTypeOf(a)
	runtimeVal, runtimeMarked, diags := pr.instanceRuntime(a, evalCtx)
	if runtimeVal == cty.NilVal || diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	desired, diags := placementValue(a, ps, runtimeVal, diags, evalCtx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	// The configuration is evaluated while the provider observes; planning needs what
	// it saw. When observing failed its errors are reported once, for the whole plan.
	if obs := p.observation; obs != nil && obs.wait().failed {
		return cty.DynamicVal, diags
	}
	req := &protocol.PlanRequest{
		Instance: protocol.Instance{Address: address, Kind: a.Kind, Placement: placementType, Lineage: r.prior.Lineage},
		Config:   desired,
	}
	var priorInst *state.Instance
	if inst := r.prior.Instance(address); inst != nil {
		priorInst = inst
		if inst.Provider != p.addr || inst.Placement != placementType {
			// Moving an appliance to another provider or placement: the old one is deleted
			// with its own provider and a new one is created.
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Placement changed",
				Detail: fmt.Sprintf("%s runs on %s (%s) but the configuration places it on %s (%s). Moving an appliance between providers is not supported in place: destroy it first (rampart destroy), or give the new one another name.",
					address, inst.Provider, inst.Placement, p.addr, placementType),
				Subject: a.DeclRange.Ptr()})
			return cty.DynamicVal, diags
		}
		pv := splitValue(inst.Value)
		req.Prior = &pv
		req.PriorPrivate = inst.Private
		// The provider's Observe carried this very value: it need not travel again.
		req.PriorObserved = r.observe && p.observation != nil
		observed, gone, unchanged := r.observedOf(inst)
		switch {
		case gone:
		case unchanged && !runtimeMarked && !protocol.ContainsMarked(desired.Placement) && !schema.LacksSensitiveMarks(a.Kind, pv.Runtime):
			// What runs is what state records, and no mark is missing from it: the
			// very same value stands for both, so nothing below compares them.
			req.Observed = req.Prior
		default:
			ov := splitValue(observed)
			// What a provider reads back (a config file) carries no marks: restore them
			// from state, from the configuration and from the kind's secret fields, so a
			// diff never shows an old secret in clear.
			ov.Runtime = schema.MarkSensitive(a.Kind, copyMarks(ov.Runtime, pv.Runtime, desired.Runtime))
			ov.Placement = copyMarks(ov.Placement, pv.Placement, desired.Placement)
			req.Observed = &ov
		}
	}
	applyIgnoreChanges(a, ps, req)

	r.e.acquire()
	resp := p.conn.Plan(ctx, req)
	r.e.release()
	diags = append(diags, providerDiags(resp.Diagnostics, p.addr, address, placementRange(a))...)
	if resp.Diagnostics.HasErrors() {
		return cty.DynamicVal, diags
	}

	action, reason := decideAction(req, resp, a.Lifecycle.CreateBeforeDestroy)
	if (action == plans.Delete || action.IsReplace()) && a.Lifecycle.PreventDestroy {
		return cty.DynamicVal, append(diags, preventDestroy(address, a))
	}
	before := cty.NullVal(cty.DynamicPseudoType)
	if req.Observed != nil {
		before = joinValue(req.Observed)
	}
	after := joinValue(&resp.Planned)
	if before.IsNull() {
		before = cty.NullVal(after.Type())
	}
	change := &plans.Change{
		Address: address, Kind: a.Kind, Provider: p.addr, Placement: placementType,
		Action: action, Before: before, After: after,
		RequiresReplace: resp.RequiresReplace, Details: resp.Details, Private: resp.Private,
		Dependencies: r.applianceDeps[a.Addr()], Reason: reason,
	}
	if action == plans.NoOp {
		change.After = before
		change.Details = nil
	}
	pr.mu.Lock()
	pr.changes[address] = change
	if priorInst != nil && r.observe && req.Observed != req.Prior {
		priorVal := priorInst.Value
		if req.Observed == nil {
			pr.drift = append(pr.drift, &plans.Drift{Address: address, Before: priorVal, After: cty.NullVal(priorVal.Type())})
		} else if !equalValues(priorVal, joinValue(req.Observed)) {
			pr.drift = append(pr.drift, &plans.Drift{Address: address, Before: priorVal, After: joinValue(req.Observed)})
		}
	}
	pr.mu.Unlock()
	return referenceValue(resp.Planned, placementType), diags
}

func placementTypeOf(a *schema.Appliance) string {
	if a.Placement == nil {
		return defaultPlacement
	}
	return a.Placement.Type
}

func placementRange(a *schema.Appliance) hcl.Range {
	if a.Placement != nil {
		return a.Placement.DeclRange
	}
	return a.DeclRange
}

// decideAction derives the action from what exists and what the provider planned.
func decideAction(req *protocol.PlanRequest, resp *protocol.PlanResponse, createBeforeDestroy bool) (plans.Action, string) {
	switch {
	case req.Observed == nil && req.Prior != nil:
		return plans.Create, "deleted outside rampart"
	case req.Observed == nil:
		return plans.Create, ""
	}
	if resp.PlannedIsObserved {
		return plans.NoOp, ""
	}
	current := joinValue(req.Observed)
	planned := joinValue(&resp.Planned)
	if equalValues(current, planned) {
		return plans.NoOp, ""
	}
	if len(resp.RequiresReplace) > 0 {
		if createBeforeDestroy {
			return plans.CreateThenDelete, ""
		}
		return plans.DeleteThenCreate, ""
	}
	return plans.Update, ""
}

func planOutputs(prior *state.State, values map[string]cty.Value, cfg *schema.Config, destroy bool) []*plans.OutputChange {
	var out []*plans.OutputChange
	names := map[string]bool{}
	for n := range values {
		names[n] = true
	}
	for n := range prior.Outputs {
		names[n] = true
	}
	for n := range names {
		oc := &plans.OutputChange{Name: n, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.NullVal(cty.DynamicPseudoType)}
		if o := cfg.Outputs[n]; o != nil {
			oc.Sensitive = o.Sensitive
		}
		old, hadOld := prior.Outputs[n]
		if hadOld {
			oc.Before = old.Value
			oc.Sensitive = oc.Sensitive || old.Sensitive
		}
		v, hasNew := values[n]
		if hasNew && !destroy {
			oc.After = v
		}
		switch {
		case destroy || !hasNew:
			oc.Action = plans.Delete
		case !hadOld:
			oc.Action = plans.Create
		case equalValues(old.Value, v):
			oc.Action = plans.NoOp
		default:
			oc.Action = plans.Update
		}
		out = append(out, oc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// planLineage is the lineage a plan records: empty for a state that was never written, so
// a plan made in a new directory can be applied by another process (which would otherwise
// invent another lineage for the same empty state).
func planLineage(s *state.State) string {
	if s.Serial == 0 {
		return ""
	}
	return s.Lineage
}
