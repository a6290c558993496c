package sdk

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// memPlacement is a small in-memory placement whose behaviour each test picks.
type memPlacement struct {
	panicIn    string // name of the method that panics
	deleteErr  bool
	readErrFor string // instance address whose Read fails
	applyWait  chan struct{}

	reading    atomic.Int32
	maxReading atomic.Int32
}

func (p *memPlacement) maybePanic(method string) {
	if p.panicIn == method {
		panic(fmt.Sprintf("boom in %s", method))
	}
}

func (p *memPlacement) Schema() *protocol.PlacementSchema {
	p.maybePanic("Schema")
	return &protocol.PlacementSchema{Block: &protocol.Schema{}, Kinds: []string{"waf"}}
}

func (p *memPlacement) Plan(_ context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	p.maybePanic("Plan")
	if p.panicIn == "nil" {
		return nil
	}
	return &protocol.PlanResponse{Planned: req.Config}
}

func (p *memPlacement) Apply(ctx context.Context, req *protocol.ApplyRequest, progress Progress) *protocol.ApplyResponse {
	p.maybePanic("Apply")
	if p.applyWait != nil {
		close(p.applyWait)
		select {
		case <-ctx.Done():
			return &protocol.ApplyResponse{New: req.Prior, Diagnostics: protocol.Diagnostics{}.FromErr("Cancelled", ctx.Err())}
		case <-time.After(10 * time.Second):
			return &protocol.ApplyResponse{New: req.Planned}
		}
	}
	progress("applied %s", req.Instance.Address)
	return &protocol.ApplyResponse{New: req.Planned}
}

func (p *memPlacement) Read(_ context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	n := p.reading.Add(1)
	defer p.reading.Add(-1)
	for {
		m := p.maxReading.Load()
		if n <= m || p.maxReading.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(time.Millisecond) // let reads overlap so the bound is exercised
	p.maybePanic("Read")
	if req.Instance.Address == p.readErrFor {
		return &protocol.ReadResponse{Diagnostics: protocol.Diagnostics{}.Errorf("Cannot inspect", "daemon unreachable")}
	}
	current := req.Current
	return &protocol.ReadResponse{Observed: protocol.Observed{Value: &current}}
}

func (p *memPlacement) Delete(_ context.Context, _ *protocol.ApplyRequest, progress Progress) protocol.Diagnostics {
	progress("deleting")
	if p.deleteErr {
		return protocol.Diagnostics{}.Errorf("Cannot delete", "process refuses to stop")
	}
	return nil
}

// bulkPlacement adds Observer, Importer and Validator to memPlacement.
type bulkPlacement struct{ memPlacement }

func (p *bulkPlacement) Observe(_ context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse {
	return &protocol.ObserveResponse{Observed: map[string]*protocol.Observed{"bulk": {Status: protocol.Status{Detail: "bulk"}}}}
}

func (p *bulkPlacement) Import(_ context.Context, req *protocol.ImportRequest) *protocol.ImportResponse {
	return &protocol.ImportResponse{Private: []byte(req.ID)}
}

func (p *bulkPlacement) Validate(_ context.Context, req *protocol.ValidateRequest) protocol.Diagnostics {
	return protocol.Diagnostics{}.Errorf("Invalid", "kind %s", req.Kind)
}

func testServer(placements map[string]Placement) *server {
	return newServer(&Provider{Name: "mem", Placements: placements}, hclog.NewNullLogger())
}

func instanceValue(name string) *protocol.InstanceValue {
	return &protocol.InstanceValue{
		Runtime:   cty.EmptyObjectVal,
		Placement: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name)}),
	}
}

func inst(addr string) protocol.Instance {
	return protocol.Instance{Address: addr, Kind: "waf", Placement: "mem"}
}

func TestPanicsBecomeDiagnostics(t *testing.T) {
	for _, method := range []string{"Plan", "Apply", "Read", "Schema"} {
		t.Run(method, func(t *testing.T) {
			s := testServer(map[string]Placement{"mem": &memPlacement{panicIn: method}})
			prior := instanceValue("a")
			var diags protocol.Diagnostics
			switch method {
			case "Plan":
				diags = s.Plan(context.Background(), &protocol.PlanRequest{Instance: inst("waf.a")}).Diagnostics
			case "Apply":
				resp := s.Apply(context.Background(), &protocol.ApplyRequest{Instance: inst("waf.a"), Prior: prior, Planned: prior}, nil)
				if resp.New != prior {
					t.Errorf("after a panic New = %v, want Prior so state keeps tracking the instance", resp.New)
				}
				diags = resp.Diagnostics
			case "Read":
				diags = s.Read(context.Background(), &protocol.ReadRequest{Instance: inst("waf.a")}).Diagnostics
			case "Schema":
				_, diags = s.GetSchema(context.Background())
			}
			err := diags.Err()
			if err == nil || !strings.Contains(err.Error(), "boom in "+method) || !strings.Contains(err.Error(), "Provider crashed") {
				t.Fatalf("error = %v, want a crash diagnostic with the panic value", err)
			}
		})
	}
}

func TestUnknownPlacement(t *testing.T) {
	s := testServer(map[string]Placement{"mem": &memPlacement{}, "docker": &memPlacement{}})
	req := &protocol.PlanRequest{Instance: protocol.Instance{Address: "waf.a", Placement: "hyperv"}}
	err := s.Plan(context.Background(), req).Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), `Provider mem has no placement "hyperv"; it offers: docker, mem`) {
		t.Fatalf("error = %v", err)
	}
}

func TestNilResponseIsAnError(t *testing.T) {
	s := testServer(map[string]Placement{"mem": &memPlacement{panicIn: "nil"}})
	err := s.Plan(context.Background(), &protocol.PlanRequest{Instance: inst("waf.a")}).Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), "returned nothing from Plan") {
		t.Fatalf("error = %v", err)
	}
}

func TestApplyRoutesDeletes(t *testing.T) {
	prior := instanceValue("a")
	tests := map[string]struct {
		placement *memPlacement
		wantNew   *protocol.InstanceValue
		wantErr   bool
	}{
		"delete succeeds":         {placement: &memPlacement{}, wantNew: nil},
		"failed delete keeps old": {placement: &memPlacement{deleteErr: true}, wantNew: prior, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := testServer(map[string]Placement{"mem": tc.placement})
			var events []string
			resp := s.Apply(context.Background(), &protocol.ApplyRequest{Instance: inst("waf.a"), Prior: prior},
				func(ev protocol.ApplyEvent) { events = append(events, ev.Message) })
			if resp.New != tc.wantNew || resp.Diagnostics.HasErrors() != tc.wantErr {
				t.Fatalf("New = %v, errors %v; want %v, %v", resp.New, resp.Diagnostics.Err(), tc.wantNew, tc.wantErr)
			}
			if strings.Join(events, ",") != "deleting" {
				t.Errorf("progress = %v, want the Delete's", events)
			}
		})
	}
}

func TestObserveFallbackReadsWithBoundedParallelism(t *testing.T) {
	p := &memPlacement{readErrFor: "waf.3"}
	s := testServer(map[string]Placement{"mem": p})
	req := &protocol.ObserveRequest{Placement: "mem"}
	for i := range 40 {
		req.Instances = append(req.Instances, &protocol.ObserveInstance{
			// The placement is taken from the request, not from each instance.
			Instance: protocol.Instance{Address: fmt.Sprintf("waf.%d", i)},
			Prior:    *instanceValue(fmt.Sprint(i)),
		})
	}
	resp := s.Observe(context.Background(), req)
	if len(resp.Observed) != 40 {
		t.Fatalf("observed %d instances, want 40", len(resp.Observed))
	}
	if most := p.maxReading.Load(); most > observeParallelism {
		t.Errorf("%d reads ran at once, want at most %d", most, observeParallelism)
	}
	err := resp.Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), "waf.3: daemon unreachable") {
		t.Errorf("diagnostics = %v, want the failed read named", err)
	}
	// A failed read must not look like "gone".
	if o := resp.Observed["waf.3"]; o == nil || o.Value == nil || o.Status.Health != "unknown" {
		t.Errorf("waf.3 = %#v, want its prior value with unknown health", o)
	}
}

func TestOptionalInterfaces(t *testing.T) {
	s := testServer(map[string]Placement{"mem": &bulkPlacement{}, "plain": &memPlacement{}})
	ctx := context.Background()

	if o := s.Observe(ctx, &protocol.ObserveRequest{Placement: "mem"}); o.Observed["bulk"] == nil {
		t.Errorf("Observe did not go to the Observer: %#v", o.Observed)
	}
	if r := s.Import(ctx, &protocol.ImportRequest{Instance: inst("waf.a"), ID: "id-1"}); string(r.Private) != "id-1" {
		t.Errorf("Import did not go to the Importer: %#v", r)
	}
	plainImport := s.Import(ctx, &protocol.ImportRequest{Instance: protocol.Instance{Address: "waf.a", Placement: "plain"}})
	if err := plainImport.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "Placement plain of provider mem does not support import") {
		t.Errorf("import on a plain placement: %v", err)
	}
	if d := s.ValidateConfig(ctx, &protocol.ValidateRequest{Block: "mem", Kind: "scanner"}); !strings.Contains(fmt.Sprint(d.Err()), "kind scanner") {
		t.Errorf("ValidateConfig did not go to the Validator: %v", d)
	}
	if d := s.ValidateConfig(ctx, &protocol.ValidateRequest{Block: "plain"}); d != nil {
		t.Errorf("a placement without Validator must validate cleanly: %v", d)
	}
	if d := s.ValidateConfig(ctx, &protocol.ValidateRequest{Block: "provider"}); d != nil {
		t.Errorf("provider block: %v", d)
	}
}

func TestStopCancelsInFlightCalls(t *testing.T) {
	p := &memPlacement{applyWait: make(chan struct{})}
	s := testServer(map[string]Placement{"mem": p})
	done := make(chan *protocol.ApplyResponse, 1)
	go func() {
		done <- s.Apply(context.Background(), &protocol.ApplyRequest{Instance: inst("waf.a"), Planned: instanceValue("a")}, nil)
	}()
	<-p.applyWait // Apply is running
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp := <-done
	if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Apply after Stop: %v, want it cancelled", err)
	}
	// Calls after Stop get a fresh context.
	p.applyWait = nil
	if r := s.Apply(context.Background(), &protocol.ApplyRequest{Instance: inst("waf.b"), Planned: instanceValue("b")}, func(protocol.ApplyEvent) {}); r.Diagnostics.HasErrors() {
		t.Fatalf("Apply after Stop returned: %v", r.Diagnostics.Err())
	}
}

func TestWatchParentExitsWhenParentChanges(t *testing.T) {
	var mu sync.Mutex
	ppid := 4242
	getppid := func() int {
		mu.Lock()
		defer mu.Unlock()
		return ppid
	}
	exited := make(chan struct{})
	go watchParent(time.Millisecond, getppid, func() { close(exited) })

	select {
	case <-exited:
		t.Fatal("exited while the parent was alive")
	case <-time.After(20 * time.Millisecond):
	}
	mu.Lock()
	ppid = 1 // re-parented to init
	mu.Unlock()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit within 10s of the parent changing")
	}
}
