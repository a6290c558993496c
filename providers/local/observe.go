package local

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
)

// Health values reported in protocol.Status.
const (
	healthHealthy   = "healthy"
	healthUnhealthy = "unhealthy"
	healthStopped   = "stopped"
	healthUnknown   = "unknown"
)

// statusConcurrency bounds the health checks Observe runs at once when asked for status.
const statusConcurrency = 8

// Read refreshes one instance, health check included.
func (p *placement) Read(ctx context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	observed, diags := p.observeOne(ctx, req.Instance, req.Current, true)
	return &protocol.ReadResponse{Observed: observed, Diagnostics: diags}
}

// Observe refreshes many instances. Without req.WantStatus it makes no network call: it
// reads /proc and each instance's config file, which keeps the refresh of a plan with
// a thousand instances in the milliseconds.
func (p *placement) Observe(ctx context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse {
	resp := &protocol.ObserveResponse{Observed: make(map[string]*protocol.Observed, len(req.Instances))}
	var mu sync.Mutex
	record := func(address string, observed protocol.Observed, diags protocol.Diagnostics) {
		mu.Lock()
		defer mu.Unlock()
		resp.Observed[address] = &observed
		resp.Diagnostics = append(resp.Diagnostics, diags...)
	}
	if !req.WantStatus {
		for _, in := range req.Instances {
			observed, diags := p.observeOne(ctx, in.Instance, in.Prior, false)
			record(in.Instance.Address, observed, diags)
		}
		return resp
	}
	// Health checks wait on the network: run a few at once.
	slots := make(chan struct{}, statusConcurrency)
	var wg sync.WaitGroup
	for _, in := range req.Instances {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			observed, diags := p.observeOne(ctx, in.Instance, in.Prior, true)
			record(in.Instance.Address, observed, diags)
		}()
	}
	wg.Wait()
	return resp
}

// observeOne says whether an instance still exists and with which configuration. It
// exists while its pid is alive and runs its config file (a bare pid check would be
// fooled by pid reuse); its runtime value is the config file read back with the type of
// the prior value, so an unchanged instance observes exactly as it was applied.
func (p *placement) observeOne(ctx context.Context, inst protocol.Instance, prior protocol.InstanceValue, wantStatus bool) (protocol.Observed, protocol.Diagnostics) {
	pid := pidAttr(prior.Placement)
	configPath := shape.String(prior.Placement, attrConfigPath)
	if !ownsProcess(pid, configPath) {
		return protocol.Observed{Status: protocol.Status{Health: healthStopped}}, nil
	}

	var diags protocol.Diagnostics
	runtime, data, err := readRuntimeLike(configPath, prior.Runtime)
	if err != nil {
		// Someone changed the file into something else: observe an unreadable
		// configuration, so the next plan rewrites it rather than failing every plan.
		runtime = cty.NullVal(prior.Runtime.Type())
		diags = append(diags, protocol.Diagnostic{
			Severity: protocol.Warning,
			Summary:  "cannot read the configuration of " + inst.Address,
			Detail:   fmt.Sprintf("%v. The next apply writes it again.", err),
		})
	}

	status := protocol.Status{Health: healthUnknown, Detail: fmt.Sprintf("pid %d", pid)}
	if wantStatus {
		status.Health = p.health(ctx, prior.Placement, configPath)
		status.Components, status.Facts = p.adminView(ctx, prior.Placement, configPath)
		if kind, kindDiags := runtimes.LookupKind("local", inst.Kind); !kindDiags.HasErrors() && data != nil {
			if parsed, err := kind.Parse(data); err == nil {
				status.Address = parsed.ServiceAddress()
			}
		}
	}
	return protocol.Observed{
		Value:  &protocol.InstanceValue{Runtime: runtime, Placement: prior.Placement},
		Status: status,
	}, diags
}

// adminView reads the health of the appliance's parts (a WAF's pool members) and its
// figures from the runtime's /status; nil when the runtime reports none or cannot be asked.
func (p *placement) adminView(ctx context.Context, placement cty.Value, configPath string) ([]protocol.Component, []protocol.Fact) {
	admin := shape.String(placement, attrAdmin)
	if admin == "" {
		return nil, nil
	}
	st, err := runtimes.NewClient(admin, filepath.Dir(configPath)).Status(ctx)
	if err != nil {
		return nil, nil
	}
	return st.View()
}

// health asks the runtime's /healthz.
func (p *placement) health(ctx context.Context, placement cty.Value, configPath string) string {
	admin := shape.String(placement, attrAdmin)
	if admin == "" {
		return healthUnknown
	}
	if err := runtimes.NewClient(admin, filepath.Dir(configPath)).Healthy(ctx); err != nil {
		return healthUnhealthy
	}
	return healthHealthy
}
