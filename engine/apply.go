package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine/plugin"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
	"github.com/rampart-sec/rampart/version"
	"github.com/zclconf/go-cty/cty"
)

// deletesNode is the synthetic graph node that removes every instance the plan deletes
// before any appliance is created or updated: an instance renamed in configuration then
// frees its ports before its successor starts.
const deletesNode = "(deletions)"

// StalePlanError says why a saved plan can no longer be applied.
type StalePlanError struct{ Reason string }

func (e *StalePlanError) Error() string {
	return "saved plan is stale: " + e.Reason + `. Run "rampart plan -out FILE" again and apply the new plan.`
}

// CheckPlan verifies that a saved plan still matches the configuration and the state.
func (e *Engine) CheckPlan(ctx context.Context, p *plans.Plan) error {
	prior, err := e.loadState(ctx)
	if err != nil {
		return fmt.Errorf("read state: %w", err)
	}
	switch {
	case p.RampartVersion != version.Version:
		return &StalePlanError{Reason: fmt.Sprintf("it was made by rampart %s, this is rampart %s", p.RampartVersion, version.Version)}
	case p.StateLineage == "" && prior.Serial != 0:
		return &StalePlanError{Reason: fmt.Sprintf("it was made before any state existed, and the state now has serial %d", prior.Serial)}
	case p.StateLineage != "" && p.StateLineage != prior.Lineage:
		return &StalePlanError{Reason: fmt.Sprintf("it was made for another state (lineage %s, the state's is %s)", p.StateLineage, prior.Lineage)}
	case p.StateSerial != prior.Serial:
		return &StalePlanError{Reason: fmt.Sprintf("the state changed since the plan was made (serial %d then, %d now)", p.StateSerial, prior.Serial)}
	case p.ConfigHash != e.ConfigHash():
		return &StalePlanError{Reason: "the configuration or the variable values changed since the plan was made"}
	}
	return nil
}

// canStoreSecrets refuses, before anything changes, a plan whose results the state could
// not store: sensitive values are only ever written encrypted, so they need a key. Failing
// after the appliances were created would leave them running but unrecorded.
func canStoreSecrets(p *plans.Plan) error {
	hasSecrets := false
	for _, c := range p.Changes {
		if c.Action != plans.Delete && protocol.ContainsMarked(c.After) {
			hasSecrets = true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != plans.Delete && (o.Sensitive || o.After.ContainsMarked()) {
			hasSecrets = true
		}
	}
	if !hasSecrets {
		return nil
	}
	key, err := state.KeyFromEnv()
	if err != nil {
		return err
	}
	if key == nil {
		return state.ErrNoKey
	}
	return nil
}

// applyRun executes the changes of one plan.
type applyRun struct {
	e       *Engine
	plan    *plans.Plan
	changes map[string]*plans.Change
	lineage string
}

// Apply executes a plan. State is persisted after every instance, so an interrupted or
// failed apply loses nothing: the next plan continues from there. The plan must come from
// this engine's Plan or have passed CheckPlan.
func (e *Engine) Apply(ctx context.Context, p *plans.Plan) hcl.Diagnostics {
	if err := e.CheckPlan(ctx, p); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot apply the plan", Detail: err.Error()}}
	}
	if err := canStoreSecrets(p); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot store secrets", Detail: err.Error() +
			" Nothing was changed."}}
	}
	prior, _ := e.loadState(ctx)
	diags := e.prepareProviders(ctx, prior)
	for _, c := range p.Changes {
		if e.providers.get(c.Provider) == nil {
			diags = append(diags, e.providers.need(c.Provider, c.Placement, hcl.Range{})...)
		}
	}
	diags = append(diags, e.providers.start(ctx)...)
	if diags.HasErrors() {
		return diags
	}
	ar := &applyRun{e: e, plan: p, changes: map[string]*plans.Change{}, lineage: prior.Lineage}
	for _, c := range p.Changes {
		ar.changes[c.Address] = c
	}
	r := &walkRun{e: e, mode: modeApply, scope: newScope(e.opts.Dir, e.vars), prior: prior, outputs: map[string]cty.Value{}}
	if p.Destroy {
		r.mode = modeDestroy
		r.skipAppliances()
	} else {
		r.visitAppliance = func(a *schema.Appliance, pi *providerInstance, ps *protocol.PlacementSchema, evalCtx *hcl.EvalContext) hcl.Diagnostics {
			return ar.applyAppliance(ctx, r, a, pi, ps, evalCtx)
		}
	}
	diags = append(diags, r.runWithDeletes(ctx, ar)...)

	// Outputs are recorded only when everything succeeded, so they never describe a
	// half-applied world.
	if !diags.HasErrors() {
		outs := map[string]*state.Output{}
		if !p.Destroy {
			for name, v := range r.outputs {
				outs[name] = &state.Output{Value: v, Sensitive: e.config.Outputs[name] != nil && e.config.Outputs[name].Sensitive}
			}
		}
		e.states.SetOutputs(outs)
		if err := e.states.Persist(ctx); err != nil {
			diags = append(diags, persistFailed(err))
		}
	}
	return diags
}

// runWithDeletes walks the graph with the synthetic deletions node in front of every
// appliance.
func (r *walkRun) runWithDeletes(ctx context.Context, ar *applyRun) hcl.Diagnostics {
	g, diags := r.buildGraph()
	if diags.HasErrors() {
		return diags
	}
	g.add(deletesNode)
	for _, p := range r.e.providers.all() {
		g.connect(deletesNode, p.addr)
	}
	for _, a := range r.e.config.Appliances {
		g.connect(a.Addr(), deletesNode)
	}
	r.addDiags(diags)
	return r.walkGraph(ctx, g, func(name string) (hcl.Diagnostics, bool) {
		if name != deletesNode {
			return nil, false
		}
		return ar.runDeletes(ctx), true
	})
}

// runDeletes executes every Delete change, dependents before their dependencies.
func (ar *applyRun) runDeletes(ctx context.Context) hcl.Diagnostics {
	g := newGraph()
	var deletes []*plans.Change
	for _, c := range ar.changes {
		if c.Action == plans.Delete {
			deletes = append(deletes, c)
			g.add(c.Address)
		}
	}
	if len(deletes) == 0 {
		return nil
	}
	// An instance must be deleted before the instances it depends on.
	for _, c := range deletes {
		for _, other := range deletes {
			for _, dep := range c.Dependencies {
				if appliancePart(other.Address) == dep {
					g.connect(other.Address, c.Address)
				}
			}
		}
	}
	var mu sync.Mutex
	var diags hcl.Diagnostics
	walk(ctx, g, func(addr string) error {
		d := ar.deleteInstance(ctx, ar.changes[addr])
		mu.Lock()
		diags = append(diags, d...)
		mu.Unlock()
		if d.HasErrors() {
			return fmt.Errorf("delete %s failed", addr)
		}
		return nil
	}, func(addr, cause string) {
		mu.Lock()
		defer mu.Unlock()
		if cause != "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Deletion skipped",
				Detail: fmt.Sprintf("%s was not deleted because deleting %s failed.", addr, cause)})
		}
	})
	return diags
}

func appliancePart(addr string) string {
	if i := strings.IndexByte(addr, '['); i >= 0 {
		return addr[:i]
	}
	return addr
}

func (ar *applyRun) deleteInstance(ctx context.Context, c *plans.Change) hcl.Diagnostics {
	if ar.e.stopped() {
		return interrupted(c.Address)
	}
	p := ar.e.providers.get(c.Provider)
	inst := protocol.Instance{Address: c.Address, Kind: c.Kind, Placement: c.Placement, Lineage: ar.lineage}
	before := splitValue(c.Before)
	forget := func() hcl.Diagnostics {
		ar.e.states.RemoveInstance(c.Address)
		if err := ar.e.states.Persist(ctx); err != nil {
			return hcl.Diagnostics{persistFailed(err)}
		}
		return nil
	}
	// An instance refresh found gone is still handed to its provider: what remains of
	// it (a stopped container, the directory of a process that died) is the provider's
	// to remove, and a Delete of what no longer exists succeeds.
	_, d := ar.call(ctx, p, plans.Delete, &protocol.ApplyRequest{Instance: inst, Prior: &before, Private: c.Private},
		func(resp *protocol.ApplyResponse, failed bool) hcl.Diagnostics {
			if !failed {
				return forget()
			}
			if resp.New != nil {
				// The provider left something behind: keep tracking it.
				return ar.record(ctx, c, resp.New, resp.Private, 0)
			}
			return nil
		})
	return d
}

// applyAppliance applies each instance of an appliance, in parallel.
func (ar *applyRun) applyAppliance(ctx context.Context, r *walkRun, a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, evalCtx *hcl.EvalContext) hcl.Diagnostics {
	return r.eachInstance(a, evalCtx, func(addr InstanceAddr, ictx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
		c := ar.changes[addr.String()]
		if c == nil {
			return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Plan does not cover this instance",
				Detail:  fmt.Sprintf("%s is in the configuration but not in the plan; the configuration changed since planning. Plan again.", addr),
				Subject: a.DeclRange.Ptr()}}
		}
		return ar.applyInstance(ctx, a, p, ps, c, ictx, r.applianceDeps[a.Addr()])
	})
}

func (ar *applyRun) applyInstance(ctx context.Context, a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, c *plans.Change, evalCtx *hcl.EvalContext, deps []string) (cty.Value, hcl.Diagnostics) {
	placementType := placementTypeOf(a)
	if c.Action == plans.NoOp {
		return referenceValue(splitValue(c.Before), placementType), nil
	}
	if ar.e.stopped() {
		return cty.DynamicVal, interrupted(c.Address)
	}
	config, diags := desiredValue(a, ps, evalCtx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	inst := protocol.Instance{Address: c.Address, Kind: c.Kind, Placement: c.Placement, Lineage: ar.lineage}
	planned := splitValue(c.After)
	private := c.Private
	var before *protocol.InstanceValue
	if !c.Before.IsNull() {
		b := splitValue(c.Before)
		before = &b
	}
	// Values that were unknown at plan time (references to appliances created in this
	// apply) are known now: ask the provider for the final planned value.
	if !planned.Runtime.IsWhollyKnown() {
		resp := ar.e.planCall(ctx, p, &protocol.PlanRequest{Instance: inst, Config: config, Prior: before, Observed: before, PriorPrivate: c.Private})
		diags = append(diags, providerDiags(resp.Diagnostics, p.addr, c.Address, placementRange(a))...)
		if resp.Diagnostics.HasErrors() {
			return cty.DynamicVal, diags
		}
		if c.Action == plans.Update && len(resp.RequiresReplace) > 0 {
			return cty.DynamicVal, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider produced an inconsistent final plan",
				Detail: fmt.Sprintf("%s was planned as an update in place, but with the values known now it must be replaced. Plan again.", c.Address)})
		}
		planned, private = resp.Planned, resp.Private
	}

	if c.Action == plans.DeleteThenCreate && before != nil {
		del := &plans.Change{Address: c.Address, Kind: c.Kind, Provider: c.Provider, Placement: c.Placement, Before: c.Before, Private: c.Private}
		if d := ar.deleteInstance(ctx, del); d.HasErrors() {
			return cty.DynamicVal, append(diags, d...)
		}
		before = nil
	}
	prior := before
	if c.Action == plans.CreateThenDelete {
		prior = nil
	}
	action := c.Action
	if action.IsReplace() {
		action = plans.Create
	}
	resp, d := ar.call(ctx, p, action, &protocol.ApplyRequest{Instance: inst, Prior: prior, Planned: &planned, Config: &config, Private: private},
		func(resp *protocol.ApplyResponse, failed bool) hcl.Diagnostics {
			if resp.New == nil {
				if failed {
					return nil
				}
				return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Provider returned no state",
					Detail: fmt.Sprintf("Provider %s reported success for %s but returned no new state; this is a bug in the provider.", p.addr, c.Address)}}
			}
			// Even a failed apply may have left something running: record it.
			return ar.record(ctx, c, resp.New, resp.Private, ps.Version, deps...)
		})
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	if c.Action == plans.CreateThenDelete && before != nil {
		// The old instance shares the address whose state now holds its successor, so its
		// deletion changes no state.
		old := &protocol.ApplyRequest{Instance: inst, Prior: before, Private: c.Private}
		if _, d := ar.call(ctx, p, plans.Delete, old, nil); d.HasErrors() {
			return cty.DynamicVal, append(diags, d...)
		}
	}
	return referenceValue(*resp.New, placementType), diags
}

// record stores an instance's new value in state and persists it at once.
func (ar *applyRun) record(ctx context.Context, c *plans.Change, v *protocol.InstanceValue, private []byte, schemaVersion int64, deps ...string) hcl.Diagnostics {
	sort.Strings(deps)
	ar.e.states.SetInstance(&state.Instance{
		Address: c.Address, Kind: c.Kind, Provider: c.Provider, Placement: c.Placement,
		SchemaVersion: schemaVersion, Value: joinValue(v), Private: private, Dependencies: deps,
		CreateBeforeDestroy: c.Action == plans.CreateThenDelete,
	})
	if err := ar.e.states.Persist(ctx); err != nil {
		return hcl.Diagnostics{persistFailed(err)}
	}
	return nil
}

// call runs one provider Apply with a slot of the parallelism budget and progress
// reporting. save, when set, records the outcome in state; it runs before the step is
// reported complete, so whatever the user saw completed is already persisted.
func (ar *applyRun) call(ctx context.Context, p *providerInstance, action plans.Action, req *protocol.ApplyRequest,
	save func(resp *protocol.ApplyResponse, failed bool) hcl.Diagnostics) (*protocol.ApplyResponse, hcl.Diagnostics) {
	ui := ar.e.opts.UI
	addr := req.Instance.Address
	ar.e.acquire()
	// Checked after waiting for a slot: an interrupt while queued must start nothing.
	if ar.e.stopped() {
		ar.e.release()
		return nil, interrupted(addr)
	}
	if ui.Start != nil {
		ui.Start(addr, action)
	}
	start := time.Now()
	resp := p.conn.Apply(ctx, req, func(ev protocol.ApplyEvent) {
		if ui.Progress != nil {
			ui.Progress(addr, ev.Message)
		}
	})
	// The slot bounds provider work: the next call may start while this result is
	// saved. Saving waits its turn for the state file (each write is synced to disk,
	// which takes long while the engine host writes container layers), and held slots
	// would leave the provider idle meanwhile.
	ar.e.release()
	if resp == nil {
		resp = &protocol.ApplyResponse{}
	}
	var diags hcl.Diagnostics
	if plugin.IsCrash(resp.Diagnostics) {
		for _, d := range resp.Diagnostics {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
				Summary: fmt.Sprintf("%s while applying %s", d.Summary, addr),
				Detail: d.Detail + "\n\nState was saved after every instance that completed before the crash; " +
					`run "rampart plan" to see what remains to do.`})
		}
	} else {
		diags = providerDiags(resp.Diagnostics, p.addr, addr, hcl.Range{})
	}
	if save != nil {
		diags = append(diags, save(resp, diags.HasErrors())...)
	}
	if ui.Done != nil {
		var err error
		if diags.HasErrors() {
			err = fmt.Errorf("%s", diags.Errs()[0])
		}
		ui.Done(addr, action, time.Since(start), err)
	}
	return resp, diags
}

func (e *Engine) planCall(ctx context.Context, p *providerInstance, req *protocol.PlanRequest) *protocol.PlanResponse {
	e.acquire()
	defer e.release()
	return p.conn.Plan(ctx, req)
}

func interrupted(addr string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Apply interrupted",
		Detail: fmt.Sprintf("%s was not changed because the apply was interrupted.", addr)}}
}

func persistFailed(err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to save state",
		Detail: fmt.Sprintf("%v. The previous state is kept as a .backup next to the state file.", err)}
}
