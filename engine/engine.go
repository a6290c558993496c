// Package engine turns configuration into action: load → graph → refresh → plan → apply
// (DESIGN §3). It reaches providers only through the plugin protocol.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apparentlymart/go-versions/versions"
	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/schema"
	"github.com/rampart-sec/rampart/version"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/zclconf/go-cty/cty"
)

// DefaultParallelism bounds concurrent provider operations, like Terraform's -parallelism.
const DefaultParallelism = 10

// DefaultStatePath is the local backend's file when the configuration names none.
const DefaultStatePath = "rampart.state"

// Options configure one engine run (one CLI command).
type Options struct {
	Dir         string            // configuration directory
	Vars        schema.VarOptions // -var, -var-file, environment
	Parallelism int               // bound on concurrent provider calls
	Refresh     bool              // observe real state before planning (-refresh)
	UI          UI                // progress callbacks; zero value prints nothing
	// PlanVariables, when set, are the non-sensitive variable values of a saved plan; they
	// replace -var and friends for those names so the plan's configuration is evaluated
	// exactly as when it was made.
	PlanVariables map[string]cty.Value
	// Validating skips variable values: every variable is unknown (rampart validate).
	Validating bool
}

// UI receives progress from long operations. Any field may be nil.
type UI struct {
	// Warning reports a non-fatal problem.
	Warning func(msg string)
	// Start, Progress and Done report an instance's apply step.
	Start    func(addr string, action plans.Action)
	Progress func(addr string, msg string)
	Done     func(addr string, action plans.Action, elapsed time.Duration, err error)
}

// Engine holds everything one command needs: the loaded configuration, variable values,
// the running provider processes and the state manager. Providers live for the whole
// command and are never restarted between phases.
type Engine struct {
	opts      Options
	config    *schema.Config
	vars      map[string]cty.Value
	providers *providerSet
	states    *state.Manager
	backend   state.Backend
	statePath string
	sem       chan struct{} // bounds concurrent provider calls

	stateLoaded bool

	stopMu   sync.Mutex
	stopping bool // set by Stop: no new instance operations start
}

// Open loads the configuration in opts.Dir, evaluates variable values and prepares the state
// backend. Providers start lazily, when an operation needs them. When the diagnostics hold
// errors, the returned engine (if not nil) serves only Config, for diagnostic snippets.
func Open(opts Options) (*Engine, hcl.Diagnostics) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	cfg, diags := schema.Load(opts.Dir)
	e := &Engine{opts: opts, config: cfg, sem: make(chan struct{}, opts.Parallelism)}
	if diags.HasErrors() {
		return e, diags
	}
	diags = append(diags, checkRequiredVersion(cfg)...)
	if diags.HasErrors() {
		return e, diags
	}
	vars := map[string]cty.Value{}
	if !opts.Validating {
		var vdiags hcl.Diagnostics
		vars, vdiags = schema.LoadVariableValues(cfg, opts.Vars)
		diags = append(diags, vdiags...)
		if vdiags.HasErrors() {
			return e, diags
		}
	}
	for name, v := range opts.PlanVariables {
		if _, declared := cfg.Variables[name]; declared {
			vars[name] = v
		}
	}
	e.vars = vars
	e.backend, e.statePath, diags = e.openBackend(diags)
	if diags.HasErrors() {
		return e, diags
	}
	e.states = state.NewManager(e.backend)
	e.providers = newProviderSet(cfg, opts.Dir)
	return e, diags
}

// Config is the loaded configuration (its Files serve diagnostic snippets).
func (e *Engine) Config() *schema.Config { return e.config }

// StatePath is where the local backend keeps state.
func (e *Engine) StatePath() string { return e.statePath }

// States is the state manager of this run.
func (e *Engine) States() *state.Manager { return e.states }

// Close stops every provider process this engine started.
func (e *Engine) Close() { e.providers.close() }

// Stop asks a running apply to finish the instance operations in flight and start no new
// ones (the first Ctrl-C).
func (e *Engine) Stop() {
	e.stopMu.Lock()
	e.stopping = true
	e.stopMu.Unlock()
}

func (e *Engine) stopped() bool {
	e.stopMu.Lock()
	defer e.stopMu.Unlock()
	return e.stopping
}

// loadState reads the state once per engine; later calls return the current in-memory
// state, which includes what this run has applied so far. A state that was never written
// gets a fresh lineage only once, so a plan and its apply agree on it.
func (e *Engine) loadState(ctx context.Context) (*state.State, error) {
	if e.stateLoaded {
		return e.states.Current(), nil
	}
	s, err := e.states.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", e.statePath, err)
	}
	e.stateLoaded = true
	return s, nil
}

// Lock takes the state lock for operation, waiting up to timeout.
func (e *Engine) Lock(ctx context.Context, operation string, timeout time.Duration) (state.Unlocker, error) {
	return e.states.Lock(ctx, operation, timeout)
}

func (e *Engine) openBackend(diags hcl.Diagnostics) (state.Backend, string, hcl.Diagnostics) {
	path := DefaultStatePath
	if r := e.config.Rampart; r != nil && r.Backend != nil {
		b := r.Backend
		switch b.Type {
		case "local":
			var cfg struct {
				Path string `hcl:"path,optional"`
			}
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for name, attr := range attrs {
				if name != "path" {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Unsupported argument",
						Detail:   fmt.Sprintf("The local backend takes only \"path\"; %q is not expected here.", name),
						Subject:  attr.NameRange.Ptr(),
					})
					continue
				}
				v, d := attr.Expr.Value(nil)
				diags = append(diags, d...)
				if !d.HasErrors() && (v.Type() != cty.String || v.IsNull()) {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid backend path",
						Detail:   "The local backend's path must be a literal string, e.g. path = \"rampart.state\".",
						Subject:  attr.Expr.Range().Ptr(),
					})
				} else if !d.HasErrors() {
					cfg.Path = v.AsString()
				}
			}
			if cfg.Path != "" {
				path = cfg.Path
			}
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported backend",
				Detail:   fmt.Sprintf("Backend %q is not available in this version of rampart; use backend \"local\".", b.Type),
				Subject:  b.DeclRange.Ptr(),
			})
			return nil, "", diags
		}
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(e.opts.Dir, path)
	}
	return state.NewLocal(path), path, diags
}

// ConfigHash identifies the configuration and the variable values it was evaluated with;
// a saved plan records it and apply refuses the plan when it differs.
func (e *Engine) ConfigHash() string {
	h := sha256.New()
	h.Write([]byte(e.config.SourceHash()))
	names := make([]string, 0, len(e.vars))
	for n := range e.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, _ := e.vars[n].UnmarkDeep()
		fmt.Fprintf(h, "\x00var %s=", n)
		if v.IsWhollyKnown() {
			b, err := ctyjson.Marshal(v, v.Type())
			if err == nil {
				h.Write(b)
			}
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// PlanVariables returns the non-sensitive variable values to record in a saved plan.
func (e *Engine) planVariables() map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, v := range e.vars {
		if decl := e.config.Variables[name]; decl != nil && decl.Sensitive {
			continue
		}
		if v.ContainsMarked() {
			continue
		}
		out[name] = v
	}
	return out
}

// acquire takes a provider-call slot; release gives it back.
func (e *Engine) acquire() { e.sem <- struct{}{} }
func (e *Engine) release() { <-e.sem }

// checkRequiredVersion enforces rampart { required_version = ">= 0.1" }.
func checkRequiredVersion(cfg *schema.Config) hcl.Diagnostics {
	if cfg.Rampart == nil || cfg.Rampart.RequiredVersion == "" {
		return nil
	}
	constraint, err := versions.MeetingConstraintsString(cfg.Rampart.RequiredVersion)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid required_version",
			Detail:  fmt.Sprintf("%q is not a version constraint (%v); write it like \">= 0.1\" or \"~> 0.1.0\".", cfg.Rampart.RequiredVersion, err),
			Subject: cfg.Rampart.DeclRange.Ptr()}}
	}
	current, err := versions.ParseVersion(strings.TrimPrefix(version.Version, "v"))
	if err != nil {
		return nil // a development build with a free-form version: nothing to compare
	}
	// Pre-release builds (0.1.0-dev) satisfy constraints on their release version.
	release := versions.Version{Major: current.Major, Minor: current.Minor, Patch: current.Patch}
	if !constraint.Has(release) {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported rampart version",
			Detail:  fmt.Sprintf("This configuration requires rampart %s; this is rampart %s. Install a matching version.", cfg.Rampart.RequiredVersion, version.Version),
			Subject: cfg.Rampart.DeclRange.Ptr()}}
	}
	return nil
}
