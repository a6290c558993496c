package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/rampart-sec/rampart/schema"
	"github.com/zclconf/go-cty/cty"
)

// mode says what a graph walk is for.
type mode int

const (
	modePlan mode = iota
	modeDestroy
	modeApply
	modeRefreshOnly // status, import, output: providers configured, state observed
	modeValidate
)

// walkRun is one walk of the configuration graph. Provider, local and output nodes behave
// the same in every mode; what an appliance node does is up to visitAppliance.
type walkRun struct {
	e     *Engine
	mode  mode
	scope *scope
	prior *state.State
	// observe: provider nodes call Observe for the state instances they manage.
	observe    bool
	wantStatus bool
	// visitAppliance handles one appliance node; it must set the appliance's value in scope.
	visitAppliance func(a *schema.Appliance, p *providerInstance, ps *protocol.PlacementSchema, ctx *hcl.EvalContext) hcl.Diagnostics

	// observing counts the providers' background observations (observeProvider).
	observing sync.WaitGroup

	mu      sync.Mutex
	diags   hcl.Diagnostics
	outputs map[string]cty.Value // evaluated outputs

	// applianceDeps: appliance address → addresses of appliances it depends on.
	applianceDeps map[string][]string
}

// skipAppliances makes appliance nodes do nothing but publish an unknown value: a destroy
// walk configures providers and evaluates locals, but plans and applies no appliance.
func (r *walkRun) skipAppliances() {
	r.visitAppliance = func(a *schema.Appliance, _ *providerInstance, _ *protocol.PlacementSchema, _ *hcl.EvalContext) hcl.Diagnostics {
		r.scope.setAppliance(a.Kind, a.Name, cty.DynamicVal)
		return nil
	}
}

func (r *walkRun) addDiags(d hcl.Diagnostics) {
	if len(d) == 0 {
		return
	}
	r.mu.Lock()
	r.diags = append(r.diags, d...)
	r.mu.Unlock()
}

// prepareProviders registers and starts every provider the configuration and the state need.
func (e *Engine) prepareProviders(ctx context.Context, prior *state.State) hcl.Diagnostics {
	diags := e.prepareConfigProviders(ctx)
	if diags.HasErrors() {
		return diags
	}
	return append(diags, e.prepareStateProviders(ctx, prior)...)
}

// prepareConfigProviders registers and starts the providers the configuration's
// appliances use.
func (e *Engine) prepareConfigProviders(ctx context.Context) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, a := range e.config.Appliances {
		addr, typ, d := providerAddr(a)
		diags = append(diags, d...)
		rng := a.DeclRange
		if a.Placement != nil {
			rng = a.Placement.DeclRange
		}
		diags = append(diags, e.providers.need(addr, typ, rng)...)
	}
	if diags.HasErrors() {
		return diags
	}
	return append(diags, e.providers.start(ctx)...)
}

// prepareStateProviders registers and starts the providers that only instances in state
// still use (their appliance left the configuration); the others are running already.
func (e *Engine) prepareStateProviders(ctx context.Context, prior *state.State) hcl.Diagnostics {
	if prior == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, inst := range prior.Instances {
		if e.providers.get(inst.Provider) != nil {
			continue
		}
		diags = append(diags, e.providers.need(inst.Provider, inst.Placement, hcl.Range{})...)
	}
	if diags.HasErrors() {
		return diags
	}
	return append(diags, e.providers.start(ctx)...)
}

// buildGraph creates one node per local, provider configuration, appliance and output, with
// edges from references and depends_on. A cycle is an error naming every node in it.
func (r *walkRun) buildGraph() (*graph, hcl.Diagnostics) {
	cfg := r.e.config
	g := newGraph()
	var diags hcl.Diagnostics
	appliances := map[string]*schema.Appliance{}
	for _, a := range cfg.Appliances {
		appliances[a.Addr()] = a
		g.add(a.Addr())
	}
	for name := range cfg.Locals {
		g.add("local." + name)
	}
	for _, p := range r.e.providers.all() {
		g.add(p.addr)
	}
	if r.mode == modePlan || r.mode == modeApply {
		for name := range cfg.Outputs {
			g.add("output." + name)
		}
	}

	// refNode maps a traversal to the node it refers to, or "" for variables and
	// per-instance symbols that need no node.
	refNode := func(t hcl.Traversal) (string, *hcl.Diagnostic) {
		root := t.RootName()
		switch root {
		case "var", "count", "each", "path", "self":
			return "", nil
		case "local":
			name, ok := traversalAttr(t, 1)
			if !ok {
				return "", nil
			}
			if _, ok := cfg.Locals[name]; !ok {
				return "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared local value",
					Detail: fmt.Sprintf("No local value named %q is declared in a locals block.", name), Subject: t.SourceRange().Ptr()}
			}
			return "local." + name, nil
		}
		if _, isKind := appliance.Lookup(root); isKind {
			name, ok := traversalAttr(t, 1)
			if !ok {
				return "", nil
			}
			addr := root + "." + name
			if _, ok := appliances[addr]; !ok {
				return "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared appliance",
					Detail: fmt.Sprintf("No %s block named %q is declared.", root, name), Subject: t.SourceRange().Ptr()}
			}
			return addr, nil
		}
		return "", nil
	}
	connectRefs := func(from string, traversals []hcl.Traversal) {
		for _, t := range traversals {
			to, d := refNode(t)
			if d != nil {
				diags = append(diags, d)
				continue
			}
			if to != "" {
				g.connect(from, to)
			}
		}
	}

	for name, l := range cfg.Locals {
		connectRefs("local."+name, l.Expr.Variables())
	}
	for _, p := range r.e.providers.all() {
		if p.decl == nil || p.spec == nil || p.spec.Provider == nil {
			continue
		}
		refs := hcldec.Variables(p.decl.Body, p.spec.Provider.DecoderSpec())
		for _, t := range refs {
			if _, isKind := appliance.Lookup(t.RootName()); isKind {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider configuration depends on an appliance",
					Detail:  "A provider block may refer to variables and locals only: providers are configured before any appliance exists.",
					Subject: t.SourceRange().Ptr()})
			}
		}
		connectRefs(p.addr, refs)
	}
	r.applianceDeps = map[string][]string{}
	for _, a := range cfg.Appliances {
		from := a.Addr()
		var refs []hcl.Traversal
		if a.Count != nil {
			refs = append(refs, a.Count.Variables()...)
		}
		if a.ForEach != nil {
			refs = append(refs, a.ForEach.Variables()...)
		}
		refs = append(refs, hcldec.Variables(a.Runtime, schema.RuntimeSpec(a.Kind))...)
		paddr, _, _ := providerAddr(a)
		p := r.e.providers.get(paddr)
		if p != nil {
			g.connect(from, p.addr)
			if a.Placement != nil && p.spec != nil {
				if ps := p.spec.Placements[a.Placement.Type]; ps != nil {
					refs = append(refs, hcldec.Variables(a.Placement.Body, ps.Block.DecoderSpec())...)
				}
			}
		}
		refs = append(refs, a.DependsOn...)
		connectRefs(from, refs)
	}
	for name, o := range cfg.Outputs {
		if !g.nodes["output."+name] {
			continue
		}
		connectRefs("output."+name, append(o.Expr.Variables(), o.DependsOn...))
	}
	for _, a := range cfg.Appliances {
		var deps []string
		for _, d := range g.dependencies(a.Addr()) {
			if _, ok := appliances[d]; ok {
				deps = append(deps, d)
			}
		}
		r.applianceDeps[a.Addr()] = deps
	}
	if cycles := g.cycles(); len(cycles) > 0 {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cycle in configuration", Detail: cycleError(cycles)}
		// Point at the first appliance of the first cycle, where a fix usually starts.
		for _, name := range cycles[0] {
			if a, ok := appliances[name]; ok {
				d.Subject = a.DeclRange.Ptr()
				break
			}
		}
		diags = append(diags, d)
	}
	return g, diags
}

func traversalAttr(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name, true
	}
	return "", false
}

// run builds the graph and walks it.
func (r *walkRun) run(ctx context.Context) hcl.Diagnostics {
	g, diags := r.buildGraph()
	if diags.HasErrors() {
		return diags
	}
	r.addDiags(diags)
	return r.walkGraph(ctx, g, nil)
}

// walkGraph visits every node, dispatching by kind of node. special, when set, may claim a
// node first (the apply's deletions node).
func (r *walkRun) walkGraph(ctx context.Context, g *graph, special func(name string) (hcl.Diagnostics, bool)) hcl.Diagnostics {
	appliances := map[string]*schema.Appliance{}
	for _, a := range r.e.config.Appliances {
		appliances[a.Addr()] = a
	}
	visit := func(name string) error {
		var d hcl.Diagnostics
		claimed := false
		if special != nil {
			d, claimed = special(name)
		}
		switch {
		case claimed:
		case r.e.providers.get(name) != nil:
			d = r.visitProvider(ctx, r.e.providers.get(name))
		case strings.HasPrefix(name, "local."):
			d = r.visitLocal(strings.TrimPrefix(name, "local."))
		case strings.HasPrefix(name, "output."):
			d = r.visitOutput(strings.TrimPrefix(name, "output."))
		default:
			d = r.visitApplianceNode(appliances[name])
		}
		r.addDiags(d)
		if d.HasErrors() {
			return fmt.Errorf("%s failed", name)
		}
		return nil
	}
	walk(ctx, g, visit, nil)
	// Observations still running add their diagnostics before the walk reports.
	r.observing.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.diags
}

func (r *walkRun) visitApplianceNode(a *schema.Appliance) hcl.Diagnostics {
	paddr, _, _ := providerAddr(a)
	p := r.e.providers.get(paddr)
	ps, d := p.placementSchema(placementTypeOf(a), a.Kind, placementRange(a))
	if !d.HasErrors() {
		d = append(d, r.visitAppliance(a, p, ps, r.scope.evalContext())...)
	}
	if d.HasErrors() {
		r.scope.setAppliance(a.Kind, a.Name, cty.DynamicVal)
	}
	return d
}

func (r *walkRun) visitLocal(name string) hcl.Diagnostics {
	l := r.e.config.Locals[name]
	v, diags := l.Expr.Value(r.scope.evalContext())
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	r.scope.setLocal(name, v)
	return diags
}

func (r *walkRun) visitOutput(name string) hcl.Diagnostics {
	o := r.e.config.Outputs[name]
	v, diags := o.Expr.Value(r.scope.evalContext())
	if diags.HasErrors() {
		return diags
	}
	if o.Sensitive {
		v = v.Mark(protocol.SensitiveMark)
	} else if v.ContainsMarked() {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Output refers to sensitive values",
			Detail:  "This output's value contains sensitive values; add sensitive = true to the output block so rampart never prints it.",
			Subject: o.Expr.Range().Ptr()})
	}
	r.mu.Lock()
	r.outputs[name] = v
	r.mu.Unlock()
	return diags
}

// visitProvider evaluates a provider block, configures the provider and, when the walk asks
// for it, observes every state instance it manages in one bulk call.
func (r *walkRun) visitProvider(ctx context.Context, p *providerInstance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	cfgVal := cty.EmptyObjectVal
	if p.spec.Provider != nil {
		body := hcl.EmptyBody()
		if p.decl != nil {
			body = p.decl.Body
		}
		v, d := hcldec.Decode(body, p.spec.Provider.DecoderSpec(), r.scope.evalContext())
		diags = append(diags, d...)
		if d.HasErrors() {
			return diags
		}
		cfgVal = p.spec.Provider.ConfigValue(v)
	}
	if r.mode == modeValidate {
		return append(diags, providerDiags(p.conn.ValidateConfig(ctx, &protocol.ValidateRequest{Block: "provider", Config: cfgVal}), p.addr, "", p.declRange)...)
	}
	if pd := p.conn.Configure(ctx, cfgVal); len(pd) > 0 {
		diags = append(diags, providerDiags(pd, p.addr, "", p.declRange)...)
		if pd.HasErrors() {
			return diags
		}
	}
	if !r.observe || r.prior == nil {
		return diags
	}
	// The appliances can evaluate their configuration while the provider looks at what
	// runs: observing goes on in the background, and only what needs the observed
	// values waits for it (observedOrPrior). run waits for it before returning.
	p.observation = &observation{done: make(chan struct{})}
	r.observing.Add(1)
	go func() {
		defer r.observing.Done()
		r.addDiags(r.observeProvider(ctx, p))
	}()
	return diags
}

// observation is a provider's bulk Observe of the state instances it manages, which
// runs in the background while the walk goes on.
type observation struct {
	done     chan struct{} // closed when observed is set
	observed map[string]*protocol.Observed
	failed   bool // Observe returned errors: nothing may be planned from it
}

// wait blocks until the observation is complete and returns it.
func (o *observation) wait() *observation {
	<-o.done
	return o
}

// observeProvider calls Observe for every state instance of p, one call per placement
// type, and completes p.observation.
func (r *walkRun) observeProvider(ctx context.Context, p *providerInstance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	obs := p.observation
	defer close(obs.done)
	byPlacement := map[string][]*protocol.ObserveInstance{}
	for _, inst := range r.prior.Instances {
		if inst.Provider != p.addr {
			continue
		}
		byPlacement[inst.Placement] = append(byPlacement[inst.Placement], &protocol.ObserveInstance{
			Instance: protocol.Instance{Address: inst.Address, Kind: inst.Kind, Placement: inst.Placement, Lineage: r.prior.Lineage},
			Prior:    splitValue(inst.Value),
			Private:  inst.Private,
		})
	}
	observed := map[string]*protocol.Observed{}
	placements := make([]string, 0, len(byPlacement))
	for pl := range byPlacement {
		placements = append(placements, pl)
	}
	sort.Strings(placements)
	for _, pl := range placements {
		resp := p.conn.Observe(ctx, &protocol.ObserveRequest{Placement: pl, Instances: byPlacement[pl], WantStatus: r.wantStatus})
		diags = append(diags, providerDiags(resp.Diagnostics, p.addr, "", p.declRange)...)
		for addr, o := range resp.Observed {
			observed[addr] = o
		}
	}
	obs.observed = observed
	obs.failed = diags.HasErrors()
	return diags
}

// splitValue turns a state value (object with runtime and placement) into an InstanceValue.
func splitValue(v cty.Value) protocol.InstanceValue {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return protocol.InstanceValue{Runtime: cty.NullVal(cty.DynamicPseudoType), Placement: cty.NullVal(cty.DynamicPseudoType)}
	}
	return protocol.InstanceValue{Runtime: v.GetAttr("runtime"), Placement: v.GetAttr("placement")}
}

// joinValue is the inverse of splitValue.
func joinValue(v *protocol.InstanceValue) cty.Value {
	if v == nil {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return cty.ObjectVal(map[string]cty.Value{"runtime": v.Runtime, "placement": v.Placement})
}
