package protocol

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// serveOnLoopback serves srv on a real gRPC server on 127.0.0.1 and returns a client.
func serveOnLoopback(t *testing.T, srv ProviderServer) *GRPCClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	RegisterProviderServer(gs, srv)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return NewGRPCClient(conn)
}

// echoProvider is a small real Provider: it records what it received and answers from it.
type echoProvider struct {
	applyReq *ApplyRequest
	planReq  *PlanRequest
	// keep: Plan answers with the observed value (nothing to change) instead of the config.
	keep bool
}

func (p *echoProvider) GetSchema(context.Context) (*ProviderSchema, Diagnostics) {
	return &ProviderSchema{Provider: &Schema{}}, nil
}
func (p *echoProvider) ValidateConfig(context.Context, *ValidateRequest) Diagnostics { return nil }
func (p *echoProvider) Configure(context.Context, cty.Value) Diagnostics             { return nil }

func (p *echoProvider) Observe(_ context.Context, req *ObserveRequest) *ObserveResponse {
	resp := &ObserveResponse{Observed: map[string]*Observed{}}
	if !req.WantStatus {
		return &ObserveResponse{Diagnostics: Diagnostics{}.Errorf("WantStatus lost", "the test asks for status")}
	}
	for i, inst := range req.Instances {
		if i == 0 {
			resp.Observed[inst.Instance.Address] = &Observed{Value: nil} // gone
			continue
		}
		prior := inst.Prior
		if inst.Instance.Address == "waf.changed" {
			prior = *testInstanceValue("changed outside")
		}
		resp.Observed[inst.Instance.Address] = &Observed{Value: &prior, Status: Status{Health: "healthy", Address: "127.0.0.1:1"}}
	}
	return resp
}

func (p *echoProvider) Plan(_ context.Context, req *PlanRequest) *PlanResponse {
	p.planReq = req
	if p.keep && req.Observed != nil {
		return &PlanResponse{Planned: *req.Observed}
	}
	return &PlanResponse{
		Planned:         req.Config,
		RequiresReplace: []cty.Path{cty.GetAttrPath("placement").GetAttr("name")},
		Details:         []string{"recreate process"},
		Private:         []byte("private"),
		Diagnostics: Diagnostics{{Severity: Warning, Summary: "Old image",
			Attribute: cty.GetAttrPath("placement").GetAttr("image")}},
	}
}

func (p *echoProvider) Apply(_ context.Context, req *ApplyRequest, progress func(ApplyEvent)) *ApplyResponse {
	p.applyReq = req
	for _, msg := range []string{"stopping", "removing", "done"} {
		progress(ApplyEvent{Message: msg})
	}
	return &ApplyResponse{New: req.Planned, Private: req.Private}
}

func (p *echoProvider) Read(_ context.Context, req *ReadRequest) *ReadResponse {
	return &ReadResponse{Observed: Observed{Value: &req.Current}}
}

func (p *echoProvider) Import(context.Context, *ImportRequest) *ImportResponse {
	return &ImportResponse{Diagnostics: Diagnostics{}.Errorf("No import", "not here")}
}

func (p *echoProvider) Stop(context.Context) error { return nil }

func testInstanceValue(name string) *InstanceValue {
	return &InstanceValue{
		Runtime:   cty.ObjectVal(map[string]cty.Value{"secret": cty.StringVal("s").Mark(SensitiveMark)}),
		Placement: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "address": cty.UnknownVal(cty.String)}),
	}
}

func TestGRPCPlanCarriesEverything(t *testing.T) {
	impl := &echoProvider{}
	client := serveOnLoopback(t, NewGRPCServer(impl))
	config := testInstanceValue("shop")
	resp := client.Plan(context.Background(), &PlanRequest{
		Instance: Instance{Address: "waf.shop", Kind: "waf", Placement: "local", Lineage: "l-1"},
		Config:   *config,
	})
	if impl.planReq.Prior != nil || impl.planReq.Observed != nil {
		t.Errorf("nil Prior/Observed arrived as %v/%v", impl.planReq.Prior, impl.planReq.Observed)
	}
	if impl.planReq.Instance.Lineage != "l-1" || impl.planReq.Instance.Placement != "local" {
		t.Errorf("instance arrived as %+v", impl.planReq.Instance)
	}
	if !resp.Planned.Runtime.RawEquals(config.Runtime) || !resp.Planned.Placement.RawEquals(config.Placement) {
		t.Errorf("planned = %#v, want the config back with marks and unknowns", resp.Planned)
	}
	if len(resp.RequiresReplace) != 1 || FormatPath(resp.RequiresReplace[0]) != "placement.name" {
		t.Errorf("requires replace = %v", resp.RequiresReplace)
	}
	if strings.Join(resp.Details, ";") != "recreate process" || string(resp.Private) != "private" {
		t.Errorf("details %v private %q", resp.Details, resp.Private)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != Warning || FormatPath(resp.Diagnostics[0].Attribute) != "placement.image" {
		t.Errorf("diagnostics = %#v", resp.Diagnostics)
	}
}

// planWire records the Plan messages as they cross the wire.
type planWire struct {
	*GRPCServer
	req  *Plan_Request
	resp *Plan_Response
}

func (w *planWire) Plan(ctx context.Context, req *Plan_Request) (*Plan_Response, error) {
	w.req = req
	resp, err := w.GRPCServer.Plan(ctx, req)
	w.resp = resp
	return resp, err
}

// TestGRPCPlanSendsUnchangedValuesOnce: when what runs is what state records and the
// provider plans nothing, neither the observed nor the planned value crosses the wire,
// and both sides still see them; any difference sends them in full.
func TestGRPCPlanSendsUnchangedValuesOnce(t *testing.T) {
	impl := &echoProvider{keep: true}
	wire := &planWire{GRPCServer: NewGRPCServer(impl)}
	client := serveOnLoopback(t, wire)
	prior := testInstanceValue("shop")
	same := *prior

	resp := client.Plan(context.Background(), &PlanRequest{Config: *prior, Prior: prior, Observed: &same})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if wire.req.GetObserved() != nil || !wire.req.GetObservedIsPrior() {
		t.Errorf("unchanged observed value was sent (observed_is_prior %v)", wire.req.GetObservedIsPrior())
	}
	if impl.planReq.Observed == nil || !sameInstanceValue(*impl.planReq.Observed, *prior) {
		t.Errorf("provider saw observed %v, want the prior value", impl.planReq.Observed)
	}
	if wire.resp.GetPlanned() != nil || !wire.resp.GetPlannedIsObserved() {
		t.Errorf("planned value equal to observed was sent back (planned_is_observed %v)", wire.resp.GetPlannedIsObserved())
	}
	if !sameInstanceValue(resp.Planned, *prior) || !resp.PlannedIsObserved {
		t.Errorf("client got planned %#v (PlannedIsObserved %v), want the observed value (marks and unknowns kept)", resp.Planned, resp.PlannedIsObserved)
	}
	// The engine passes one pointer for both when it knows they are the same value.
	resp = client.Plan(context.Background(), &PlanRequest{Config: *prior, Prior: prior, Observed: prior})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if wire.req.GetObserved() != nil || !wire.req.GetObservedIsPrior() || !resp.PlannedIsObserved {
		t.Errorf("Observed == Prior: observed sent %v, observed_is_prior %v, PlannedIsObserved %v; want not sent, true, true",
			wire.req.GetObserved() != nil, wire.req.GetObservedIsPrior(), resp.PlannedIsObserved)
	}

	// Drift: the observed value differs from the prior one, so it travels in full.
	drifted := testInstanceValue("other")
	resp = client.Plan(context.Background(), &PlanRequest{Config: *prior, Prior: prior, Observed: drifted})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if wire.req.GetObserved() == nil || wire.req.GetObservedIsPrior() {
		t.Error("a drifted observed value was not sent")
	}
	if !sameInstanceValue(*impl.planReq.Observed, *drifted) || !sameInstanceValue(resp.Planned, *drifted) || !resp.PlannedIsObserved {
		t.Errorf("provider saw observed %#v, client got planned %#v; want the drifted value both times", impl.planReq.Observed, resp.Planned)
	}
	// A prior the provider received with Observe does not travel again.
	observe := client.Observe(context.Background(), &ObserveRequest{Placement: "local", WantStatus: true,
		Instances: []*ObserveInstance{{Instance: Instance{Address: "waf.seen"}, Prior: *prior}}})
	if observe.Diagnostics.HasErrors() {
		t.Fatal(observe.Diagnostics.Err())
	}
	resp = client.Plan(context.Background(), &PlanRequest{Instance: Instance{Address: "waf.seen"}, Config: *prior, Prior: prior, Observed: &same, PriorObserved: true})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if wire.req.GetPrior() != nil || !wire.req.GetPriorFromObserve() {
		t.Error("a prior value the provider observed was sent again")
	}
	if impl.planReq.Prior == nil || !sameInstanceValue(*impl.planReq.Prior, *prior) {
		t.Errorf("provider saw prior %v, want the value Observe carried", impl.planReq.Prior)
	}
	// An instance no Observe carried cannot refer to it.
	resp = client.Plan(context.Background(), &PlanRequest{Instance: Instance{Address: "waf.unseen"}, Config: *prior, Prior: prior, PriorObserved: true})
	if !resp.Diagnostics.HasErrors() {
		t.Error("prior_from_observe for an instance Observe never carried was accepted")
	}

	// A request that says "same as prior" without a prior is refused, not guessed.
	if _, err := wire.GRPCServer.Plan(context.Background(), &Plan_Request{ObservedIsPrior: true}); err == nil {
		t.Error("observed_is_prior without a prior value was accepted")
	}
}

func TestGRPCApplyStreamsProgressThenResult(t *testing.T) {
	impl := &echoProvider{}
	client := serveOnLoopback(t, NewGRPCServer(impl))
	var events []string
	resp := client.Apply(context.Background(), &ApplyRequest{
		Instance: Instance{Address: "waf.shop"},
		Prior:    testInstanceValue("shop"),
		Private:  []byte("p"),
	}, func(ev ApplyEvent) { events = append(events, ev.Message) })

	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if got := strings.Join(events, ","); got != "stopping,removing,done" {
		t.Errorf("progress events = %q, want stopping,removing,done", got)
	}
	if impl.applyReq.Planned != nil || impl.applyReq.Config != nil || impl.applyReq.Prior == nil {
		t.Errorf("a delete must arrive with Planned and Config nil and Prior set: %+v", impl.applyReq)
	}
	if resp.New != nil || string(resp.Private) != "p" {
		t.Errorf("delete result: New %v private %q, want nil and \"p\"", resp.New, resp.Private)
	}
}

// observeWire records the Observe response as it crosses the wire.
type observeWire struct {
	*GRPCServer
	resp *Observe_Response
}

func (w *observeWire) Observe(ctx context.Context, req *Observe_Request) (*Observe_Response, error) {
	resp, err := w.GRPCServer.Observe(ctx, req)
	w.resp = resp
	return resp, err
}

func TestGRPCObserveAndRead(t *testing.T) {
	wire := &observeWire{GRPCServer: NewGRPCServer(&echoProvider{})}
	client := serveOnLoopback(t, wire)
	resp := client.Observe(context.Background(), &ObserveRequest{Placement: "local", WantStatus: true, Instances: []*ObserveInstance{
		{Instance: Instance{Address: "waf.a"}, Prior: *testInstanceValue("a")},
		{Instance: Instance{Address: "waf.b"}, Prior: *testInstanceValue("b")},
		{Instance: Instance{Address: "waf.changed"}, Prior: *testInstanceValue("c")},
	}})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	if a := resp.Observed["waf.a"]; a == nil || a.Value != nil {
		t.Errorf("waf.a = %#v, want an entry with a nil value (gone)", a)
	}
	b := resp.Observed["waf.b"]
	if b == nil || b.Value == nil || b.Status.Health != "healthy" ||
		!b.Value.Placement.GetAttr("name").RawEquals(cty.StringVal("b")) {
		t.Errorf("waf.b = %#v", b)
	}
	// An unchanged instance's value is not sent back; a changed one is.
	if w := wire.resp.GetObserved()["waf.b"]; w.GetValue() != nil || !w.GetValueIsPrior() {
		t.Errorf("unchanged waf.b crossed the wire with its value (value_is_prior %v)", w.GetValueIsPrior())
	}
	if w := wire.resp.GetObserved()["waf.changed"]; w.GetValue() == nil || w.GetValueIsPrior() {
		t.Error("waf.changed was not sent in full")
	}
	if c := resp.Observed["waf.changed"]; c == nil || c.Value == nil || !sameInstanceValue(*c.Value, *testInstanceValue("changed outside")) {
		t.Errorf("waf.changed = %#v, want the value the provider observed", c)
	}
	// The engine learns which is which without comparing values.
	if !b.ValueIsPrior || resp.Observed["waf.changed"].ValueIsPrior {
		t.Errorf("ValueIsPrior: waf.b %v (want true), waf.changed %v (want false)", b.ValueIsPrior, resp.Observed["waf.changed"].ValueIsPrior)
	}

	read := client.Read(context.Background(), &ReadRequest{Instance: Instance{Address: "waf.a"}, Current: *testInstanceValue("a")})
	if read.Observed.Value == nil || !read.Observed.Value.Runtime.RawEquals(testInstanceValue("a").Runtime) {
		t.Errorf("read = %#v", read.Observed)
	}
}

// resultlessServer ends the Apply stream without a result, as a crashing plugin would.
type resultlessServer struct{ UnimplementedProviderServer }

func (resultlessServer) Apply(_ *Apply_Request, stream Provider_ApplyServer) error {
	return stream.Send(&Apply_Event{Event: &Apply_Event_Progress{Progress: &Apply_Progress{Message: "starting"}}})
}

func TestGRPCApplyWithoutResultIsAnError(t *testing.T) {
	client := serveOnLoopback(t, resultlessServer{})
	var events int
	resp := client.Apply(context.Background(), &ApplyRequest{Planned: testInstanceValue("x")}, func(ApplyEvent) { events++ })
	if events != 1 {
		t.Errorf("got %d progress events, want 1", events)
	}
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics.Err().Error(), "without a result") {
		t.Fatalf("diagnostics = %v, want an error about the missing result", resp.Diagnostics.Err())
	}
}

func TestGRPCTransportErrorIsADiagnostic(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there any more
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := NewGRPCClient(conn)

	plan := client.Plan(context.Background(), &PlanRequest{Config: *testInstanceValue("x")})
	if !plan.Diagnostics.HasErrors() || plan.Diagnostics[0].Summary != "Provider call Plan failed" {
		t.Errorf("plan diagnostics = %#v", plan.Diagnostics)
	}
	apply := client.Apply(context.Background(), &ApplyRequest{}, nil)
	if !apply.Diagnostics.HasErrors() || apply.Diagnostics[0].Summary != "Provider call Apply failed" {
		t.Errorf("apply diagnostics = %#v", apply.Diagnostics)
	}
	if err := client.Stop(context.Background()); err == nil {
		t.Error("Stop over a dead connection must fail")
	}
}
