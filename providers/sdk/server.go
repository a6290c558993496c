package sdk

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// server turns an author's *Provider into a protocol.Provider: it routes each call to the
// placement it names, fills in optional interfaces (Observer, Importer, Validator) and
// turns panics in author code into error diagnostics so one bad call does not kill the
// process that holds every other instance's work.
type server struct {
	p      *Provider
	logger hclog.Logger

	mu sync.Mutex
	// stopCtx is cancelled by Stop; every call's context derives from the stopCtx current
	// when the call started, so Stop cancels in-flight work but not later calls.
	stopCtx    context.Context
	stopCancel context.CancelFunc
}

var _ protocol.Provider = (*server)(nil)

// ProtocolProvider returns p as a protocol.Provider, as Serve serves it. Provider authors
// can use it to test their provider in-process; logs go to stderr.
func ProtocolProvider(p *Provider) protocol.Provider {
	return newServer(p, hclog.New(&hclog.LoggerOptions{Name: p.Name, Output: os.Stderr, Level: hclog.Info}))
}

func newServer(p *Provider, logger hclog.Logger) *server {
	s := &server{p: p, logger: logger}
	s.stopCtx, s.stopCancel = context.WithCancel(context.Background())
	return s
}

// callContext derives the context for one call: cancelled when the engine cancels the
// call or when Stop is called.
func (s *server) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	s.mu.Lock()
	stopCtx := s.stopCtx
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	unregister := context.AfterFunc(stopCtx, cancel)
	return ctx, func() {
		unregister()
		cancel()
	}
}

// placement finds the placement a request names.
func (s *server) placement(name string) (Placement, protocol.Diagnostics) {
	if pl, ok := s.p.Placements[name]; ok && pl != nil {
		return pl, nil
	}
	offered := make([]string, 0, len(s.p.Placements))
	for n := range s.p.Placements {
		offered = append(offered, n)
	}
	sort.Strings(offered)
	return nil, protocol.Diagnostics{}.Errorf("Unknown placement",
		"Provider %s has no placement %q; it offers: %s. Check the placement block's name, or update the provider.",
		s.p.Name, name, strings.Join(offered, ", "))
}

// recovered turns a recovered panic value into an error diagnostic and logs the stack.
// It returns nil when r is nil (no panic). Call it as recovered(call, recover()) from a
// deferred function.
func (s *server) recovered(call string, r any) protocol.Diagnostics {
	if r == nil {
		return nil
	}
	s.logger.Error("provider panicked", "call", call, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	return protocol.Diagnostics{}.Errorf("Provider crashed",
		"The provider %s panicked during %s: %v. This is a bug in the provider; please report it together with the plugin log.",
		s.p.Name, call, r)
}

func (s *server) noResponse(call, placement string) protocol.Diagnostics {
	return protocol.Diagnostics{}.Errorf("Provider returned no response",
		"Placement %q of provider %s returned nothing from %s. This is a bug in the provider; please report it.",
		placement, s.p.Name, call)
}

// GetSchema implements protocol.Provider.
func (s *server) GetSchema(_ context.Context) (ps *protocol.ProviderSchema, diags protocol.Diagnostics) {
	defer func() {
		if d := s.recovered("GetSchema", recover()); d != nil {
			ps, diags = nil, d
		}
	}()
	ps = &protocol.ProviderSchema{Provider: s.p.Schema, Placements: make(map[string]*protocol.PlacementSchema, len(s.p.Placements))}
	if ps.Provider == nil {
		ps.Provider = &protocol.Schema{}
	}
	for name, pl := range s.p.Placements {
		schema := pl.Schema()
		if schema == nil || schema.Block == nil {
			diags = diags.Errorf("Placement without schema", "Placement %q of provider %s has no block schema. This is a bug in the provider.", name, s.p.Name)
			continue
		}
		ps.Placements[name] = schema
	}
	return ps, diags
}

// ValidateConfig implements protocol.Provider. The engine checks blocks against their
// schema; this only runs the checks a placement adds with Validator.
func (s *server) ValidateConfig(ctx context.Context, req *protocol.ValidateRequest) (diags protocol.Diagnostics) {
	defer func() {
		if d := s.recovered("ValidateConfig", recover()); d != nil {
			diags = d
		}
	}()
	if req.Block == "provider" {
		return nil
	}
	pl, diags := s.placement(req.Block)
	if diags.HasErrors() {
		return diags
	}
	v, ok := pl.(Validator)
	if !ok {
		return nil
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	return v.Validate(ctx, req)
}

// Configure implements protocol.Provider.
func (s *server) Configure(ctx context.Context, config cty.Value) (diags protocol.Diagnostics) {
	defer func() {
		if d := s.recovered("Configure", recover()); d != nil {
			diags = d
		}
	}()
	if s.p.Configure == nil {
		return nil
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	return s.p.Configure(ctx, config)
}

// Plan implements protocol.Provider.
func (s *server) Plan(ctx context.Context, req *protocol.PlanRequest) (resp *protocol.PlanResponse) {
	defer func() {
		if d := s.recovered("Plan", recover()); d != nil {
			resp = &protocol.PlanResponse{Diagnostics: d}
		}
	}()
	pl, diags := s.placement(req.Instance.Placement)
	if diags.HasErrors() {
		return &protocol.PlanResponse{Diagnostics: diags}
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	if resp = pl.Plan(ctx, req); resp == nil {
		return &protocol.PlanResponse{Diagnostics: s.noResponse("Plan", req.Instance.Placement)}
	}
	return resp
}

// Apply implements protocol.Provider: Planned == nil goes to Delete. When a delete fails
// the instance is reported as still there (New = Prior), so state keeps tracking it.
func (s *server) Apply(ctx context.Context, req *protocol.ApplyRequest, progress func(protocol.ApplyEvent)) (resp *protocol.ApplyResponse) {
	defer func() {
		if d := s.recovered("Apply", recover()); d != nil {
			// What the panic left behind is unknown; keep tracking what existed before.
			resp = &protocol.ApplyResponse{New: req.Prior, Private: req.Private, Diagnostics: d}
		}
	}()
	pl, diags := s.placement(req.Instance.Placement)
	if diags.HasErrors() {
		return &protocol.ApplyResponse{New: req.Prior, Private: req.Private, Diagnostics: diags}
	}
	report := func(format string, args ...any) {
		if progress != nil {
			progress(protocol.ApplyEvent{Message: fmt.Sprintf(format, args...)})
		}
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()

	if req.Planned == nil {
		diags := pl.Delete(ctx, req, report)
		if diags.HasErrors() {
			return &protocol.ApplyResponse{New: req.Prior, Private: req.Private, Diagnostics: diags}
		}
		return &protocol.ApplyResponse{Diagnostics: diags}
	}
	if resp = pl.Apply(ctx, req, report); resp == nil {
		return &protocol.ApplyResponse{New: req.Prior, Private: req.Private, Diagnostics: s.noResponse("Apply", req.Instance.Placement)}
	}
	return resp
}

// Read implements protocol.Provider.
func (s *server) Read(ctx context.Context, req *protocol.ReadRequest) (resp *protocol.ReadResponse) {
	defer func() {
		if d := s.recovered("Read", recover()); d != nil {
			resp = &protocol.ReadResponse{Diagnostics: d}
		}
	}()
	pl, diags := s.placement(req.Instance.Placement)
	if diags.HasErrors() {
		return &protocol.ReadResponse{Diagnostics: diags}
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	if resp = pl.Read(ctx, req); resp == nil {
		return &protocol.ReadResponse{Diagnostics: s.noResponse("Read", req.Instance.Placement)}
	}
	return resp
}

// Import implements protocol.Provider.
func (s *server) Import(ctx context.Context, req *protocol.ImportRequest) (resp *protocol.ImportResponse) {
	defer func() {
		if d := s.recovered("Import", recover()); d != nil {
			resp = &protocol.ImportResponse{Diagnostics: d}
		}
	}()
	pl, diags := s.placement(req.Instance.Placement)
	if diags.HasErrors() {
		return &protocol.ImportResponse{Diagnostics: diags}
	}
	importer, ok := pl.(Importer)
	if !ok {
		return &protocol.ImportResponse{Diagnostics: protocol.Diagnostics{}.Errorf("Import not supported",
			"Placement %s of provider %s does not support import. Remove the import and let rampart create %s instead.",
			req.Instance.Placement, s.p.Name, req.Instance.Address)}
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	if resp = importer.Import(ctx, req); resp == nil {
		return &protocol.ImportResponse{Diagnostics: s.noResponse("Import", req.Instance.Placement)}
	}
	return resp
}

// Stop implements protocol.Provider: it cancels the context of every call in flight.
func (s *server) Stop(_ context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopCancel()
	s.stopCtx, s.stopCancel = context.WithCancel(context.Background())
	return nil
}
