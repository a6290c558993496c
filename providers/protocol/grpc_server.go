package protocol

import (
	"context"
	"fmt"
	"sync"

	"github.com/rampart-sec/rampart/internal/parallel"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GRPCServer is the plugin's side of the protocol: it serves any Provider as the
// generated gRPC service. Requests that cannot be decoded are rejected with
// InvalidArgument; the client reports them as diagnostics.
type GRPCServer struct {
	UnimplementedProviderServer
	impl Provider
	// observedPriors holds, by instance address, the prior values the Observe requests
	// of this process carried, for the Plan requests that refer to them
	// (prior_from_observe). A provider process lives for one command.
	observedPriors sync.Map // string → *InstanceValue
}

// NewGRPCServer wraps impl as a gRPC service.
func NewGRPCServer(impl Provider) *GRPCServer {
	return &GRPCServer{impl: impl}
}

func badRequest(call string, err error) error {
	return status.Errorf(codes.InvalidArgument, "decode %s request: %v", call, err)
}

func badResponse(call string, err error) error {
	return status.Errorf(codes.Internal, "encode %s response: %v", call, err)
}

// GetSchema implements ProviderServer.
func (s *GRPCServer) GetSchema(ctx context.Context, _ *GetSchema_Request) (*GetSchema_Response, error) {
	ps, diags := s.impl.GetSchema(ctx)
	resp, err := EncodeProviderSchema(ps)
	if err != nil {
		return nil, badResponse("GetSchema", err)
	}
	resp.Diagnostics = EncodeDiagnostics(diags)
	return resp, nil
}

// ValidateConfig implements ProviderServer.
func (s *GRPCServer) ValidateConfig(ctx context.Context, req *ValidateConfig_Request) (*ValidateConfig_Response, error) {
	config, err := DecodeValue(req.GetConfig())
	if err != nil {
		return nil, badRequest("ValidateConfig", err)
	}
	diags := s.impl.ValidateConfig(ctx, &ValidateRequest{Block: req.GetBlock(), Kind: req.GetKind(), Config: config})
	return &ValidateConfig_Response{Diagnostics: EncodeDiagnostics(diags)}, nil
}

// Configure implements ProviderServer.
func (s *GRPCServer) Configure(ctx context.Context, req *Configure_Request) (*Configure_Response, error) {
	config, err := DecodeValue(req.GetConfig())
	if err != nil {
		return nil, badRequest("Configure", err)
	}
	return &Configure_Response{Diagnostics: EncodeDiagnostics(s.impl.Configure(ctx, config))}, nil
}

// Observe implements ProviderServer.
func (s *GRPCServer) Observe(ctx context.Context, req *Observe_Request) (*Observe_Response, error) {
	goReq := &ObserveRequest{Placement: req.GetPlacement(), WantStatus: req.GetWantStatus(), Instances: make([]*ObserveInstance, len(req.GetInstances()))}
	// Hundreds of large values: decoded on every core.
	err := parallel.ForEach(len(req.GetInstances()), func(i int) error {
		w := req.GetInstances()[i]
		prior, err := decodeInstanceValueOrZero(w.GetPrior())
		if err != nil {
			return fmt.Errorf("%s: %w", w.GetInstance().GetAddress(), err)
		}
		goReq.Instances[i] = &ObserveInstance{Instance: decodeInstance(w.GetInstance()), Prior: prior, Private: w.GetPrivate()}
		return nil
	})
	if err != nil {
		return nil, badRequest("Observe", err)
	}
	for _, in := range goReq.Instances {
		prior := in.Prior
		s.observedPriors.Store(in.Instance.Address, &prior)
	}
	resp := s.impl.Observe(ctx, goReq)
	if resp == nil {
		resp = &ObserveResponse{}
	}
	priors := make(map[string]*InstanceValue, len(goReq.Instances))
	for _, in := range goReq.Instances {
		priors[in.Instance.Address] = &in.Prior
	}
	out := &Observe_Response{Observed: make(map[string]*WireObserved, len(resp.Observed)), Diagnostics: EncodeDiagnostics(resp.Diagnostics)}
	for addr, o := range resp.Observed {
		if o != nil && o.Value != nil && priors[addr] != nil && sameInstanceValue(*o.Value, *priors[addr]) {
			// Unchanged (the usual case): the engine has the value already.
			unchanged := *o
			unchanged.Value = nil
			w, err := encodeObserved(&unchanged)
			if err != nil {
				return nil, badResponse("Observe", fmt.Errorf("%s: %w", addr, err))
			}
			w.ValueIsPrior = true
			out.Observed[addr] = w
			continue
		}
		w, err := encodeObserved(o)
		if err != nil {
			return nil, badResponse("Observe", fmt.Errorf("%s: %w", addr, err))
		}
		out.Observed[addr] = w
	}
	return out, nil
}

// Plan implements ProviderServer.
func (s *GRPCServer) Plan(ctx context.Context, req *Plan_Request) (*Plan_Response, error) {
	values, err := decodeInstanceValues(map[string]*WireInstanceValue{"prior": req.GetPrior(), "observed": req.GetObserved()})
	if err != nil {
		return nil, badRequest("Plan", err)
	}
	if req.GetPriorFromObserve() {
		stored, ok := s.observedPriors.Load(req.GetInstance().GetAddress())
		if !ok || values["prior"] != nil {
			return nil, badRequest("Plan", fmt.Errorf("prior_from_observe for %s, which no Observe request of this process carried (or with a prior value)", req.GetInstance().GetAddress()))
		}
		same := *stored.(*InstanceValue)
		values["prior"] = &same
	}
	observed := values["observed"]
	if req.GetObservedIsPrior() {
		if values["prior"] == nil || observed != nil {
			return nil, badRequest("Plan", fmt.Errorf("observed_is_prior needs a prior value and no observed one"))
		}
		same := *values["prior"]
		observed = &same
	}
	config, err := decodeInstanceValueOrZero(req.GetConfig())
	if err != nil {
		return nil, badRequest("Plan", fmt.Errorf("config: %w", err))
	}
	resp := s.impl.Plan(ctx, &PlanRequest{
		Instance:      decodeInstance(req.GetInstance()),
		Config:        config,
		Prior:         values["prior"],
		Observed:      observed,
		PriorPrivate:  req.GetPriorPrivate(),
		PriorObserved: req.GetPriorFromObserve(),
	})
	if resp == nil {
		resp = &PlanResponse{}
	}
	replace, err := EncodePaths(resp.RequiresReplace)
	if err != nil {
		return nil, badResponse("Plan", fmt.Errorf("requires_replace: %w", err))
	}
	out := &Plan_Response{
		RequiresReplace: replace,
		Details:         resp.Details,
		Private:         resp.Private,
		Diagnostics:     EncodeDiagnostics(resp.Diagnostics),
	}
	// Nothing to change: the engine has the observed value already.
	if observed != nil && sameInstanceValue(resp.Planned, *observed) {
		out.PlannedIsObserved = true
		return out, nil
	}
	if out.Planned, err = EncodeInstanceValue(&resp.Planned); err != nil {
		return nil, badResponse("Plan", fmt.Errorf("planned: %w", err))
	}
	return out, nil
}

// Apply implements ProviderServer: progress events are streamed as the provider reports
// them, then the result.
func (s *GRPCServer) Apply(req *Apply_Request, stream Provider_ApplyServer) error {
	values, err := decodeInstanceValues(map[string]*WireInstanceValue{
		"prior": req.GetPrior(), "planned": req.GetPlanned(), "config": req.GetConfig(),
	})
	if err != nil {
		return badRequest("Apply", err)
	}
	goReq := &ApplyRequest{
		Instance: decodeInstance(req.GetInstance()),
		Prior:    values["prior"],
		Planned:  values["planned"],
		Config:   values["config"],
		Private:  req.GetPrivate(),
	}

	// A provider may report progress from several goroutines, and even after Apply has
	// returned; a gRPC stream allows neither, so sends are serialised and stop at the end.
	var mu sync.Mutex
	done := false
	progress := func(ev ApplyEvent) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		// A failed send means the client has gone; the result send below reports it.
		_ = stream.Send(&Apply_Event{Event: &Apply_Event_Progress{Progress: &Apply_Progress{Message: ev.Message}}})
	}
	resp := s.impl.Apply(stream.Context(), goReq, progress)
	mu.Lock()
	done = true
	mu.Unlock()

	if resp == nil {
		resp = &ApplyResponse{}
	}
	result := &Apply_Result{Private: resp.Private, Diagnostics: EncodeDiagnostics(resp.Diagnostics)}
	if result.New, err = EncodeInstanceValue(resp.New); err != nil {
		return badResponse("Apply", fmt.Errorf("new: %w", err))
	}
	return stream.Send(&Apply_Event{Event: &Apply_Event_Result{Result: result}})
}

// Read implements ProviderServer.
func (s *GRPCServer) Read(ctx context.Context, req *Read_Request) (*Read_Response, error) {
	current, err := decodeInstanceValueOrZero(req.GetCurrent())
	if err != nil {
		return nil, badRequest("Read", fmt.Errorf("current: %w", err))
	}
	resp := s.impl.Read(ctx, &ReadRequest{Instance: decodeInstance(req.GetInstance()), Current: current, Private: req.GetPrivate()})
	if resp == nil {
		resp = &ReadResponse{}
	}
	observed, err := encodeObserved(&resp.Observed)
	if err != nil {
		return nil, badResponse("Read", err)
	}
	return &Read_Response{Observed: observed, Diagnostics: EncodeDiagnostics(resp.Diagnostics)}, nil
}

// Import implements ProviderServer.
func (s *GRPCServer) Import(ctx context.Context, req *Import_Request) (*Import_Response, error) {
	resp := s.impl.Import(ctx, &ImportRequest{Instance: decodeInstance(req.GetInstance()), ID: req.GetId()})
	if resp == nil {
		resp = &ImportResponse{}
	}
	imported, err := EncodeInstanceValue(resp.Imported)
	if err != nil {
		return nil, badResponse("Import", fmt.Errorf("imported: %w", err))
	}
	return &Import_Response{Imported: imported, Private: resp.Private, Diagnostics: EncodeDiagnostics(resp.Diagnostics)}, nil
}

// Stop implements ProviderServer.
func (s *GRPCServer) Stop(ctx context.Context, _ *Stop_Request) (*Stop_Response, error) {
	if err := s.impl.Stop(ctx); err != nil {
		return &Stop_Response{Error: err.Error()}, nil
	}
	return &Stop_Response{}, nil
}
