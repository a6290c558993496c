package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine/plugin"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
)

// defaultPlacement is the provider used by an appliance that declares no placement block:
// the local provider ships with rampart and needs no configuration.
const defaultPlacement = "local"

// providerInstance is one provider configuration (a provider block, or the implicit default
// configuration of a provider type) and the plugin process that serves it.
type providerInstance struct {
	addr      string           // provider.local, provider.docker.dmz
	typ       string           // local, docker
	decl      *schema.Provider // nil: implicit configuration
	meta      plugin.Meta
	sum       string // plugin checksum
	conn      *plugin.Client
	spec      *protocol.ProviderSchema
	declRange hcl.Range // where it is first needed, for diagnostics

	// observation is the refresh of the state instances it manages: set by the provider
	// node, complete once observation.wait() returns.
	observation *observation
}

// providerSet starts and keeps the provider processes of one command.
type providerSet struct {
	cfg *schema.Config
	dir string

	mu     sync.Mutex
	byAddr map[string]*providerInstance
}

func newProviderSet(cfg *schema.Config, dir string) *providerSet {
	return &providerSet{cfg: cfg, dir: dir, byAddr: map[string]*providerInstance{}}
}

// providerAddr is the provider configuration address an appliance's placement uses.
func providerAddr(a *schema.Appliance) (addr, typ string, diags hcl.Diagnostics) {
	if a.Placement == nil {
		return "provider." + defaultPlacement, defaultPlacement, nil
	}
	p := a.Placement
	if p.ProviderRef == nil {
		return "provider." + p.Type, p.Type, nil
	}
	if p.ProviderRef.Type != p.Type {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Provider does not match placement",
			Detail: fmt.Sprintf("A %q placement block must use a %q provider configuration, not %s.%s.",
				p.Type, p.Type, p.ProviderRef.Type, p.ProviderRef.Alias),
			Subject: p.ProviderRef.Range.Ptr(),
		})
	}
	return "provider." + p.ProviderRef.Type + "." + p.ProviderRef.Alias, p.Type, diags
}

// providerDecl finds the provider block for an address; nil for an implicit configuration.
func (ps *providerSet) providerDecl(addr string) *schema.Provider {
	for _, p := range ps.cfg.Providers {
		if p.Addr() == addr {
			return p
		}
	}
	return nil
}

// need registers a provider configuration address (from an appliance or from state).
func (ps *providerSet) need(addr, typ string, rng hcl.Range) hcl.Diagnostics {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if _, ok := ps.byAddr[addr]; ok {
		return nil
	}
	decl := ps.providerDecl(addr)
	if decl == nil && strings.Count(addr, ".") == 2 {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared provider configuration",
			Detail: fmt.Sprintf("There is no provider block for %s. Declare it with provider %q { alias = %q ... }.",
				addr, typ, addr[strings.LastIndexByte(addr, '.')+1:]),
			Subject: rng.Ptr(),
		}}
	}
	ps.byAddr[addr] = &providerInstance{addr: addr, typ: typ, decl: decl, declRange: rng}
	return nil
}

// start discovers, verifies and starts every registered provider that is not running yet,
// in parallel, and fetches their schemas (from the on-disk cache when the plugin's checksum
// is known).
func (ps *providerSet) start(ctx context.Context) hcl.Diagnostics {
	ps.mu.Lock()
	var pending []*providerInstance
	for _, p := range ps.byAddr {
		if p.conn == nil {
			pending = append(pending, p)
		}
	}
	ps.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].addr < pending[j].addr })

	found, err := plugin.Discover(ps.dir)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot look for provider plugins", Detail: err.Error()}}
	}
	lock, err := plugin.LoadLockfile(ps.dir)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read .rampart.lock.hcl", Detail: err.Error()}}
	}
	var diags hcl.Diagnostics
	for _, p := range pending {
		meta, ok := found[p.typ]
		if !ok {
			diags = append(diags, unknownProvider(p, found))
			continue
		}
		// The binary is hashed once, by go-plugin just before exec, against the checksum
		// the lock file records (a provider binary is tens of megabytes; hashing it twice
		// was 6% of a no-change plan). A mismatch is reported by launch.
		recorded, ok := lock.Checksum(meta.Name)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Provider %q cannot be used", p.typ),
				Detail:   fmt.Sprintf("provider %q is not in %s: run \"rampart init\" to install it", meta.Name, plugin.LockfileName),
				Subject:  p.declRange.Ptr(),
			})
			continue
		}
		p.meta, p.sum = meta, recorded
	}
	if diags.HasErrors() {
		return diags
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range pending {
		wg.Add(1)
		go func(p *providerInstance) {
			defer wg.Done()
			d := ps.launch(ctx, p)
			mu.Lock()
			diags = append(diags, d...)
			mu.Unlock()
		}(p)
	}
	wg.Wait()
	return diags
}

func (ps *providerSet) launch(ctx context.Context, p *providerInstance) hcl.Diagnostics {
	sum := p.sum // recorded in the lock file; Start refuses a binary that differs
	conn, err := plugin.Start(ctx, p.meta, plugin.StartOptions{WorkDir: ps.dir, Checksum: sum})
	if mismatch := (*plugin.ChecksumMismatchError)(nil); errors.As(err, &mismatch) {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Provider %q cannot be used", p.typ),
			Detail:   mismatch.Error(),
			Subject:  p.declRange.Ptr(),
		}}
	}
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Failed to start provider %q", p.typ),
			Detail:   fmt.Sprintf("%s (%s): %v", p.addr, p.meta.Path, err),
			Subject:  p.declRange.Ptr(),
		}}
	}
	p.conn = conn
	if cached, ok := plugin.CachedSchema(ps.dir, sum); ok {
		p.spec = cached
		return nil
	}
	spec, pd := conn.GetSchema(ctx)
	if pd.HasErrors() {
		return providerDiags(pd, p.addr, "", p.declRange)
	}
	p.spec = spec
	// A cache that cannot be written only costs time next run.
	_ = plugin.StoreSchema(ps.dir, sum, spec)
	return nil
}

func unknownProvider(p *providerInstance, found map[string]plugin.Meta) *hcl.Diagnostic {
	var names []string
	suggestion := ""
	for n := range found {
		names = append(names, n)
		if levenshtein.Distance(n, p.typ, nil) <= 2 {
			suggestion = fmt.Sprintf(" Did you mean %q?", n)
		}
	}
	sort.Strings(names)
	available := "none"
	if len(names) > 0 {
		available = strings.Join(names, ", ")
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unknown provider %q", p.typ),
		Detail: fmt.Sprintf("No plugin named rampart-provider-%s was found in RAMPART_PLUGIN_PATH, .rampart/plugins or next to the rampart binary.%s Available providers: %s.",
			p.typ, suggestion, available),
		Subject: p.declRange.Ptr(),
	}
}

func (ps *providerSet) get(addr string) *providerInstance {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.byAddr[addr]
}

func (ps *providerSet) all() []*providerInstance {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := make([]*providerInstance, 0, len(ps.byAddr))
	for _, p := range ps.byAddr {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

func (ps *providerSet) close() {
	for _, p := range ps.all() {
		if p.conn != nil {
			p.conn.Kill()
		}
	}
}

// placementSchema returns the schema of a placement type, or a diagnostic.
func (p *providerInstance) placementSchema(typ, kind string, rng hcl.Range) (*protocol.PlacementSchema, hcl.Diagnostics) {
	ps := p.spec.Placements[typ]
	if ps == nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unsupported placement",
			Detail:   fmt.Sprintf("Provider %q offers no %q placement.", p.typ, typ),
			Subject:  rng.Ptr(),
		}}
	}
	if len(ps.Kinds) > 0 {
		ok := false
		for _, k := range ps.Kinds {
			ok = ok || k == kind
		}
		if !ok {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Placement cannot host this appliance",
				Detail:   fmt.Sprintf("The %q placement hosts %s, not %s.", typ, strings.Join(ps.Kinds, ", "), kind),
				Subject:  rng.Ptr(),
			}}
		}
	}
	return ps, nil
}

// providerDiags turns a provider's diagnostics into HCL diagnostics, naming the provider and,
// when given, the instance, and pointing at rng.
func providerDiags(pd protocol.Diagnostics, providerAddr, instance string, rng hcl.Range) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range pd {
		sev := hcl.DiagError
		if d.Severity == protocol.Warning {
			sev = hcl.DiagWarning
		}
		detail := d.Detail
		if len(d.Attribute) > 0 {
			detail = fmt.Sprintf("%s: %s", protocol.FormatPath(d.Attribute), detail)
		}
		where := providerAddr
		if instance != "" {
			where = instance + ", " + providerAddr
		}
		if detail != "" {
			detail += "\n\n"
		}
		detail += fmt.Sprintf("(%s)", where)
		diag := &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: detail}
		if rng.Filename != "" {
			diag.Subject = rng.Ptr()
		}
		out = append(out, diag)
	}
	return out
}
