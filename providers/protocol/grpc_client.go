package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rampart-sec/rampart/internal/parallel"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc"
)

// GRPCClient is the engine's side of the protocol: a Provider that forwards every call to
// a plugin over gRPC. Transport and encoding failures become error diagnostics; the
// caller adds which provider and instance they concern.
type GRPCClient struct {
	client ProviderClient
	sent   encodeMemo // runtime values sent recently, encoded
}

var _ Provider = (*GRPCClient)(nil)

// NewGRPCClient returns a Provider speaking to the plugin behind conn.
func NewGRPCClient(conn grpc.ClientConnInterface) *GRPCClient {
	return &GRPCClient{client: NewProviderClient(conn)}
}

func callFailed(call string, err error) Diagnostics {
	return Diagnostics{}.FromErr(fmt.Sprintf("Provider call %s failed", call), err)
}

func encodeFailed(call string, err error) Diagnostics {
	return Diagnostics{}.FromErr(fmt.Sprintf("Cannot send %s request to provider", call), err)
}

func decodeFailed(call string, err error) Diagnostics {
	return Diagnostics{}.FromErr(fmt.Sprintf("Provider sent an invalid %s response", call), err)
}

// GetSchema implements Provider.
func (c *GRPCClient) GetSchema(ctx context.Context) (*ProviderSchema, Diagnostics) {
	resp, err := c.client.GetSchema(ctx, &GetSchema_Request{})
	if err != nil {
		return nil, callFailed("GetSchema", err)
	}
	diags := DecodeDiagnostics(resp.GetDiagnostics())
	ps, err := DecodeProviderSchema(resp)
	if err != nil {
		return nil, append(diags, decodeFailed("GetSchema", err)...)
	}
	return ps, diags
}

// ValidateConfig implements Provider.
func (c *GRPCClient) ValidateConfig(ctx context.Context, req *ValidateRequest) Diagnostics {
	config, err := EncodeValue(req.Config)
	if err != nil {
		return encodeFailed("ValidateConfig", err)
	}
	resp, err := c.client.ValidateConfig(ctx, &ValidateConfig_Request{Block: req.Block, Kind: req.Kind, Config: config})
	if err != nil {
		return callFailed("ValidateConfig", err)
	}
	return DecodeDiagnostics(resp.GetDiagnostics())
}

// Configure implements Provider.
func (c *GRPCClient) Configure(ctx context.Context, config cty.Value) Diagnostics {
	wire, err := EncodeValue(config)
	if err != nil {
		return encodeFailed("Configure", err)
	}
	resp, err := c.client.Configure(ctx, &Configure_Request{Config: wire})
	if err != nil {
		return callFailed("Configure", err)
	}
	return DecodeDiagnostics(resp.GetDiagnostics())
}

// Observe implements Provider.
func (c *GRPCClient) Observe(ctx context.Context, req *ObserveRequest) *ObserveResponse {
	wireReq := &Observe_Request{Placement: req.Placement, WantStatus: req.WantStatus, Instances: make([]*Observe_Instance, len(req.Instances))}
	// Hundreds of large values: encoded on every core.
	err := parallel.ForEach(len(req.Instances), func(i int) error {
		inst := req.Instances[i]
		prior, err := c.sent.encodeInstanceValue(&inst.Prior)
		if err != nil {
			return fmt.Errorf("%s: %w", inst.Instance.Address, err)
		}
		wireReq.Instances[i] = &Observe_Instance{Instance: encodeInstance(inst.Instance), Prior: prior, Private: inst.Private}
		return nil
	})
	if err != nil {
		return &ObserveResponse{Diagnostics: encodeFailed("Observe", err)}
	}
	resp, err := c.client.Observe(ctx, wireReq)
	if err != nil {
		return &ObserveResponse{Diagnostics: callFailed("Observe", err)}
	}
	out := &ObserveResponse{
		Observed:    make(map[string]*Observed, len(resp.GetObserved())),
		Diagnostics: DecodeDiagnostics(resp.GetDiagnostics()),
	}
	priors := make(map[string]*InstanceValue, len(req.Instances))
	for _, inst := range req.Instances {
		priors[inst.Instance.Address] = &inst.Prior
	}
	for addr, w := range resp.GetObserved() {
		o, err := decodeObserved(w)
		if err == nil && w.GetValueIsPrior() {
			if prior := priors[addr]; prior != nil && w.GetValue() == nil {
				same := *prior
				o.Value = &same
				o.ValueIsPrior = true
			} else {
				err = fmt.Errorf("value_is_prior for an instance the request did not carry, or with a value")
			}
		}
		if err != nil {
			out.Diagnostics = append(out.Diagnostics, decodeFailed("Observe", fmt.Errorf("%s: %w", addr, err))...)
			continue
		}
		out.Observed[addr] = o
	}
	return out
}

// Plan implements Provider.
func (c *GRPCClient) Plan(ctx context.Context, req *PlanRequest) *PlanResponse {
	// In a plan with nothing to do, what runs is what state records: send it once. The
	// engine passes the very same pointer when it knows so; otherwise compare.
	observedIsPrior := req.Prior != nil && req.Observed != nil && (req.Observed == req.Prior || sameInstanceValue(*req.Prior, *req.Observed))
	observed := req.Observed
	if observedIsPrior {
		observed = nil
	}
	// The provider has the prior already when Observe carried it.
	prior := req.Prior
	priorFromObserve := req.PriorObserved && req.Prior != nil
	if priorFromObserve {
		prior = nil
	}
	values, err := encodeInstanceValues(map[string]*InstanceValue{"prior": prior, "observed": observed})
	if err != nil {
		return &PlanResponse{Diagnostics: encodeFailed("Plan", err)}
	}
	// The instances of a for_each usually share their runtime configuration.
	if values["config"], err = c.sent.encodeInstanceValue(&req.Config); err != nil {
		return &PlanResponse{Diagnostics: encodeFailed("Plan", fmt.Errorf("config: %w", err))}
	}
	resp, err := c.client.Plan(ctx, &Plan_Request{
		Instance:         encodeInstance(req.Instance),
		Config:           values["config"],
		Prior:            values["prior"],
		Observed:         values["observed"],
		ObservedIsPrior:  observedIsPrior,
		PriorFromObserve: priorFromObserve,
		PriorPrivate:     req.PriorPrivate,
	})
	if err != nil {
		return &PlanResponse{Diagnostics: callFailed("Plan", err)}
	}
	out := &PlanResponse{Details: resp.GetDetails(), Private: resp.GetPrivate(), Diagnostics: DecodeDiagnostics(resp.GetDiagnostics())}
	switch {
	case resp.GetPlannedIsObserved() && req.Observed == nil:
		out.Diagnostics = append(out.Diagnostics, decodeFailed("Plan", fmt.Errorf("planned: the provider answered \"same as observed\" for an instance that was not observed"))...)
	case resp.GetPlannedIsObserved():
		out.Planned = *req.Observed
		out.PlannedIsObserved = true
	default:
		if out.Planned, err = decodeInstanceValueOrZero(resp.GetPlanned()); err != nil {
			out.Diagnostics = append(out.Diagnostics, decodeFailed("Plan", fmt.Errorf("planned: %w", err))...)
		}
	}
	if out.RequiresReplace, err = DecodePaths(resp.GetRequiresReplace()); err != nil {
		out.Diagnostics = append(out.Diagnostics, decodeFailed("Plan", fmt.Errorf("requires_replace: %w", err))...)
	}
	return out
}

// Apply implements Provider. It calls progress for each event the plugin streams and
// returns the final result; a stream that ends without one is an error.
func (c *GRPCClient) Apply(ctx context.Context, req *ApplyRequest, progress func(ApplyEvent)) *ApplyResponse {
	values, err := encodeInstanceValues(map[string]*InstanceValue{"prior": req.Prior, "planned": req.Planned, "config": req.Config})
	if err != nil {
		return &ApplyResponse{Diagnostics: encodeFailed("Apply", err)}
	}
	stream, err := c.client.Apply(ctx, &Apply_Request{
		Instance: encodeInstance(req.Instance),
		Prior:    values["prior"],
		Planned:  values["planned"],
		Config:   values["config"],
		Private:  req.Private,
	})
	if err != nil {
		return &ApplyResponse{Diagnostics: callFailed("Apply", err)}
	}
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return &ApplyResponse{Diagnostics: callFailed("Apply", errors.New("the provider ended the call without a result; the instance may be half-applied, run plan to see its state"))}
		}
		if err != nil {
			return &ApplyResponse{Diagnostics: callFailed("Apply", err)}
		}
		if p := event.GetProgress(); p != nil {
			if progress != nil {
				progress(ApplyEvent{Message: p.GetMessage()})
			}
			continue
		}
		if result := event.GetResult(); result != nil {
			return decodeApplyResult(result)
		}
	}
}

func decodeApplyResult(result *Apply_Result) *ApplyResponse {
	out := &ApplyResponse{Private: result.GetPrivate(), Diagnostics: DecodeDiagnostics(result.GetDiagnostics())}
	newValue, err := DecodeInstanceValue(result.GetNew())
	if err != nil {
		out.Diagnostics = append(out.Diagnostics, decodeFailed("Apply", fmt.Errorf("new: %w", err))...)
	}
	out.New = newValue
	return out
}

// Read implements Provider.
func (c *GRPCClient) Read(ctx context.Context, req *ReadRequest) *ReadResponse {
	current, err := EncodeInstanceValue(&req.Current)
	if err != nil {
		return &ReadResponse{Diagnostics: encodeFailed("Read", fmt.Errorf("current: %w", err))}
	}
	resp, err := c.client.Read(ctx, &Read_Request{Instance: encodeInstance(req.Instance), Current: current, Private: req.Private})
	if err != nil {
		return &ReadResponse{Diagnostics: callFailed("Read", err)}
	}
	out := &ReadResponse{Diagnostics: DecodeDiagnostics(resp.GetDiagnostics())}
	observed, err := decodeObserved(resp.GetObserved())
	if err != nil {
		out.Diagnostics = append(out.Diagnostics, decodeFailed("Read", err)...)
	}
	if observed != nil {
		out.Observed = *observed
	}
	return out
}

// Import implements Provider.
func (c *GRPCClient) Import(ctx context.Context, req *ImportRequest) *ImportResponse {
	resp, err := c.client.Import(ctx, &Import_Request{Instance: encodeInstance(req.Instance), Id: req.ID})
	if err != nil {
		return &ImportResponse{Diagnostics: callFailed("Import", err)}
	}
	out := &ImportResponse{Private: resp.GetPrivate(), Diagnostics: DecodeDiagnostics(resp.GetDiagnostics())}
	if out.Imported, err = DecodeInstanceValue(resp.GetImported()); err != nil {
		out.Diagnostics = append(out.Diagnostics, decodeFailed("Import", fmt.Errorf("imported: %w", err))...)
	}
	return out
}

// Stop implements Provider.
func (c *GRPCClient) Stop(ctx context.Context) error {
	resp, err := c.client.Stop(ctx, &Stop_Request{})
	if err != nil {
		return fmt.Errorf("provider call Stop: %w", err)
	}
	if msg := resp.GetError(); msg != "" {
		return fmt.Errorf("provider could not stop: %s", msg)
	}
	return nil
}
