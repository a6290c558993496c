package engine

import (
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/rampart-sec/rampart/schema"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// scope holds the values expressions can refer to while a graph walk runs: variables,
// locals, appliance values and outputs. Nodes write their values once they are done;
// expressions are evaluated only after the nodes they reference are done, so reads never
// see a half-built value.
type scope struct {
	dir   string
	vars  cty.Value
	funcs map[string]function.Function

	mu         sync.RWMutex
	locals     map[string]cty.Value
	appliances map[string]map[string]cty.Value // kind → name → value
}

func newScope(dir string, vars map[string]cty.Value) *scope {
	varObj := cty.EmptyObjectVal
	if len(vars) > 0 {
		varObj = cty.ObjectVal(vars)
	}
	s := &scope{
		dir:        dir,
		vars:       varObj,
		funcs:      schema.Functions(dir),
		locals:     map[string]cty.Value{},
		appliances: map[string]map[string]cty.Value{},
	}
	for _, k := range appliance.Names() {
		s.appliances[k] = map[string]cty.Value{}
	}
	return s
}

func (s *scope) setLocal(name string, v cty.Value) {
	s.mu.Lock()
	s.locals[name] = v
	s.mu.Unlock()
}

func (s *scope) setAppliance(kind, name string, v cty.Value) {
	s.mu.Lock()
	s.appliances[kind][name] = v
	s.mu.Unlock()
}

// evalContext builds an HCL evaluation context from the current values.
func (s *scope) evalContext() *hcl.EvalContext {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vars := map[string]cty.Value{
		"var":   s.vars,
		"local": objectOrEmpty(s.locals),
		"path":  cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal(s.dir), "cwd": cty.StringVal(s.dir)}),
	}
	for kind, byName := range s.appliances {
		vars[kind] = objectOrEmpty(byName)
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.funcs}
}

// instanceContext adds count.index or each.key/each.value for one instance.
func instanceContext(parent *hcl.EvalContext, key InstanceKey, eachValue cty.Value) *hcl.EvalContext {
	switch key.kind {
	case intKey:
		child := parent.NewChild()
		child.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": key.Value()})}
		return child
	case stringKey:
		child := parent.NewChild()
		child.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key.Value(), "value": eachValue})}
		return child
	}
	return parent
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	copied := make(map[string]cty.Value, len(m))
	for k, v := range m {
		copied[k] = v
	}
	return cty.ObjectVal(copied)
}

// referenceValue is what `waf.shop` evaluates to: the runtime attributes plus the placement
// object under the placement's type name (waf.shop.listen.http, waf.shop.local.pid).
func referenceValue(v protocol.InstanceValue, placementType string) cty.Value {
	attrs := map[string]cty.Value{}
	if !v.Runtime.IsNull() && v.Runtime.IsKnown() && v.Runtime.Type().IsObjectType() {
		for name := range v.Runtime.Type().AttributeTypes() {
			attrs[name] = v.Runtime.GetAttr(name)
		}
	}
	attrs[placementType] = v.Placement
	return cty.ObjectVal(attrs)
}

// expansion is the set of instances an appliance block expands to.
type expansion struct {
	keys       []InstanceKey
	eachValues map[string]cty.Value // for_each: key → each.value
}

// expand evaluates count or for_each. Both must be known at plan time.
func expand(a *schema.Appliance, ctx *hcl.EvalContext) (expansion, hcl.Diagnostics) {
	switch {
	case a.Count != nil:
		v, diags := a.Count.Value(ctx)
		if diags.HasErrors() {
			return expansion{}, diags
		}
		rng := a.Count.Range()
		if !v.IsKnown() {
			return expansion{}, diags.Append(invalidExpansion(rng, "count", "The count value depends on something known only after apply. Use a value known at plan time, or apply the appliance it depends on first with -target."))
		}
		v, _ = v.Unmark()
		if v.IsNull() || v.Type() != cty.Number {
			return expansion{}, diags.Append(invalidExpansion(rng, "count", "count must be a whole number."))
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 {
			return expansion{}, diags.Append(invalidExpansion(rng, "count", fmt.Sprintf("count must be a whole number of zero or more, not %s.", v.AsBigFloat().String())))
		}
		e := expansion{}
		for i := 0; i < int(n); i++ {
			e.keys = append(e.keys, IntKey(i))
		}
		return e, diags
	case a.ForEach != nil:
		v, diags := a.ForEach.Value(ctx)
		if diags.HasErrors() {
			return expansion{}, diags
		}
		rng := a.ForEach.Range()
		if !v.IsWhollyKnown() {
			return expansion{}, diags.Append(invalidExpansion(rng, "for_each", "The for_each value depends on something known only after apply; use keys known at plan time."))
		}
		if v.ContainsMarked() {
			return expansion{}, diags.Append(invalidExpansion(rng, "for_each", "for_each keys cannot be sensitive: they appear in instance addresses."))
		}
		if v.IsNull() {
			return expansion{}, diags.Append(invalidExpansion(rng, "for_each", "for_each must be a map, an object or a set of strings, not null."))
		}
		e := expansion{eachValues: map[string]cty.Value{}}
		ty := v.Type()
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, val := it.Element()
				e.keys = append(e.keys, StringKey(k.AsString()))
				e.eachValues[k.AsString()] = val
			}
		case ty.IsSetType() && ty.ElementType() == cty.String:
			for it := v.ElementIterator(); it.Next(); {
				_, val := it.Element()
				e.keys = append(e.keys, StringKey(val.AsString()))
				e.eachValues[val.AsString()] = val
			}
		default:
			return expansion{}, diags.Append(invalidExpansion(rng, "for_each", fmt.Sprintf("for_each must be a map, an object or a set of strings, not %s. Convert a list with toset(...).", ty.FriendlyName())))
		}
		return e, diags
	}
	return expansion{keys: []InstanceKey{NoKey}}, nil
}

func invalidExpansion(rng hcl.Range, what, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + what + " argument", Detail: detail, Subject: rng.Ptr()}
}

// collect assembles the value of an expanded appliance from its instance values:
// an object for a plain block, a tuple for count, an object keyed by for_each keys.
func collect(a *schema.Appliance, exp expansion, values map[InstanceKey]cty.Value) cty.Value {
	switch {
	case a.Count != nil:
		elems := make([]cty.Value, len(exp.keys))
		for i, k := range exp.keys {
			elems[i] = orDynamic(values[k])
		}
		if len(elems) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(elems)
	case a.ForEach != nil:
		m := map[string]cty.Value{}
		for _, k := range exp.keys {
			m[k.key] = orDynamic(values[k])
		}
		return objectOrEmpty(m)
	}
	return orDynamic(values[NoKey])
}

func orDynamic(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.DynamicVal
	}
	return v
}

// eachInstance expands an appliance block (count or for_each) and runs fn for each of its
// instances in parallel (provider calls inside fn take parallelism slots), then publishes
// the appliance's value, assembled from what fn returned, for the blocks that refer to it.
func (r *walkRun) eachInstance(a *schema.Appliance, evalCtx *hcl.EvalContext, fn func(addr InstanceAddr, ictx *hcl.EvalContext) (cty.Value, hcl.Diagnostics)) hcl.Diagnostics {
	exp, diags := expand(a, evalCtx)
	if diags.HasErrors() {
		return diags
	}
	values := make(map[InstanceKey]cty.Value, len(exp.keys))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, key := range exp.keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := InstanceAddr{Kind: a.Kind, Name: a.Name, Key: key}
			v, d := fn(addr, instanceContext(evalCtx, key, exp.eachValues[key.key]))
			mu.Lock()
			values[key] = v
			diags = append(diags, d...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.scope.setAppliance(a.Kind, a.Name, collect(a, exp, values))
	return diags
}
