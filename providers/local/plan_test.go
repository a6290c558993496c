package local

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
)

// runningValue is what Observe returns for an instance started from binary with config.
func runningValue(t *testing.T, p *placement, runtime, placementCfg cty.Value, binary string) protocol.InstanceValue {
	t.Helper()
	sum, err := runtimes.BinarySHA256(binary)
	if err != nil {
		t.Fatal(err)
	}
	return protocol.InstanceValue{
		Runtime: runtime,
		Placement: shape.Value(placementCfg, map[string]cty.Value{
			attrPID:          cty.NumberIntVal(4242),
			attrConfigPath:   cty.StringVal("/state/waf.shop/config.json"),
			attrLogPath:      cty.StringVal("/state/waf.shop/runtime.log"),
			attrAdmin:        cty.StringVal("127.0.0.1:9901"),
			attrBinarySHA256: cty.StringVal(sum),
		}),
	}
}

func TestPlan(t *testing.T) {
	p := testPlacement(t)
	binary := fakeBinary(t, "rampart-waf", "build 1")
	rebuilt := fakeBinary(t, "rampart-waf", "build 2")
	base := wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:8000"}
	withHost := base
	withHost.hostnames = []string{"shop.example.com"}
	otherPort := base
	otherPort.httpPort = 8081
	otherAdmin := base
	otherAdmin.adminPort = 9902

	cfg := placementConfig(binary, nil)
	running := runningValue(t, p, base.runtimeValue(), cfg, binary)

	tests := []struct {
		name        string
		config      protocol.InstanceValue
		observed    *protocol.InstanceValue
		wantNoOp    bool
		wantReplace []string
		wantDetails []string
		wantPID     cty.Value // planned pid
	}{
		{
			name:     "create",
			config:   protocol.InstanceValue{Runtime: base.runtimeValue(), Placement: cfg},
			observed: nil,
			wantPID:  cty.UnknownVal(cty.Number),
		},
		{
			name:     "nothing changed",
			config:   protocol.InstanceValue{Runtime: base.runtimeValue(), Placement: cfg},
			observed: &running,
			wantNoOp: true,
		},
		{
			name:     "empty env equals absent env",
			config:   protocol.InstanceValue{Runtime: base.runtimeValue(), Placement: placementConfig(binary, map[string]string{})},
			observed: &running,
			wantNoOp: true,
		},
		{
			name:        "reloadable change",
			config:      protocol.InstanceValue{Runtime: withHost.runtimeValue(), Placement: cfg},
			observed:    &running,
			wantDetails: []string{"reload with SIGHUP: site changed"},
			wantPID:     cty.NumberIntVal(4242),
		},
		{
			name:        "listen port changed",
			config:      protocol.InstanceValue{Runtime: otherPort.runtimeValue(), Placement: cfg},
			observed:    &running,
			wantReplace: []string{"runtime.listen"},
			wantDetails: []string{"restart: listen changed"},
			wantPID:     cty.UnknownVal(cty.Number),
		},
		{
			name:        "admin address changed",
			config:      protocol.InstanceValue{Runtime: otherAdmin.runtimeValue(), Placement: cfg},
			observed:    &running,
			wantReplace: []string{"runtime.admin.listen"},
			wantDetails: []string{"restart: admin.listen changed"},
			wantPID:     cty.UnknownVal(cty.Number),
		},
		{
			name:        "env changed",
			config:      protocol.InstanceValue{Runtime: base.runtimeValue(), Placement: placementConfig(binary, map[string]string{"WAF_SSL_PASSPHRASE": "secret"})},
			observed:    &running,
			wantReplace: []string{"placement.env"},
			wantDetails: []string{"restart: env changed"},
			wantPID:     cty.UnknownVal(cty.Number),
		},
		{
			name:        "binary rebuilt",
			config:      protocol.InstanceValue{Runtime: base.runtimeValue(), Placement: cfg},
			observed:    func() *protocol.InstanceValue { v := runningValue(t, p, base.runtimeValue(), cfg, rebuilt); return &v }(),
			wantReplace: []string{"placement.binary_sha256"},
			wantPID:     cty.UnknownVal(cty.Number),
		},
		{
			name:        "runtime known only after apply",
			config:      protocol.InstanceValue{Runtime: unknownHostnames(withHost.runtimeValue()), Placement: cfg},
			observed:    &running,
			wantReplace: []string{"runtime"},
			wantDetails: []string{"restart: runtime configuration is known only after apply"},
			wantPID:     cty.UnknownVal(cty.Number),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := p.Plan(context.Background(), &protocol.PlanRequest{
				Instance: wafInstance("waf.shop"),
				Config:   tt.config,
				Prior:    tt.observed,
				Observed: tt.observed,
			})
			mustNoErrors(t, resp.Diagnostics)
			if tt.wantNoOp {
				if !resp.Planned.Runtime.RawEquals(tt.observed.Runtime) || !resp.Planned.Placement.RawEquals(tt.observed.Placement) {
					t.Errorf("planned differs from observed:\nplanned  %#v\nobserved %#v", resp.Planned, *tt.observed)
				}
				if len(resp.RequiresReplace) != 0 || len(resp.Details) != 0 {
					t.Errorf("no-op plan has replace %v, details %q", resp.RequiresReplace, resp.Details)
				}
				return
			}
			var replace []string
			for _, path := range resp.RequiresReplace {
				replace = append(replace, protocol.FormatPath(path))
			}
			if !reflect.DeepEqual(replace, tt.wantReplace) {
				t.Errorf("RequiresReplace = %q, want %q", replace, tt.wantReplace)
			}
			if tt.wantDetails != nil && !reflect.DeepEqual(resp.Details, tt.wantDetails) {
				t.Errorf("Details = %q, want %q", resp.Details, tt.wantDetails)
			}
			if pid := resp.Planned.Placement.GetAttr(attrPID); !pid.RawEquals(tt.wantPID) {
				t.Errorf("planned pid = %#v, want %#v", pid, tt.wantPID)
			}
			if !resp.Planned.Runtime.RawEquals(tt.config.Runtime) {
				t.Errorf("planned runtime is not the configured one")
			}
			if admin := resp.Planned.Placement.GetAttr(attrAdmin); tt.config.Runtime.IsWhollyKnown() && !admin.IsKnown() {
				t.Errorf("planned admin is unknown although the configuration is known")
			}
		})
	}
}

func TestPlanBinaryRebuiltDetail(t *testing.T) {
	p := testPlacement(t)
	binary := fakeBinary(t, "rampart-waf", "build 1")
	cfg := placementConfig(binary, nil)
	runtime := wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:8000"}.runtimeValue()
	observed := runningValue(t, p, runtime, cfg, binary)
	observed.Placement = shape.Value(cfg, map[string]cty.Value{
		attrPID: cty.NumberIntVal(1), attrConfigPath: cty.StringVal("/c"), attrLogPath: cty.StringVal("/l"),
		attrAdmin: cty.StringVal("127.0.0.1:9901"), attrBinarySHA256: cty.StringVal(strings.Repeat("ab", 32)),
	})
	resp := p.Plan(context.Background(), &protocol.PlanRequest{
		Instance: wafInstance("waf.shop"),
		Config:   protocol.InstanceValue{Runtime: runtime, Placement: cfg},
		Prior:    &observed, Observed: &observed,
	})
	mustNoErrors(t, resp.Diagnostics)
	want := "restart: rampart-waf binary changed (sha256 abababababab → "
	if len(resp.Details) != 1 || !strings.HasPrefix(resp.Details[0], want) {
		t.Errorf("Details = %q, want one line starting %q", resp.Details, want)
	}
}

func TestPlanMissingBinary(t *testing.T) {
	p := testPlacement(t)
	runtime := wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:8000"}.runtimeValue()
	resp := p.Plan(context.Background(), &protocol.PlanRequest{
		Instance: wafInstance("waf.shop"),
		Config:   protocol.InstanceValue{Runtime: runtime, Placement: placementConfig("/no/such/rampart-waf", nil)},
	})
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("diagnostics = %v, want one error", resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if d.Summary != "rampart-waf binary not found" {
		t.Errorf("summary = %q", d.Summary)
	}
	wantDetail := "binary = \"/no/such/rampart-waf\" is not an executable file. Set binary to the path of a rampart-waf build, or remove it to use the rampart-waf built by `make build`."
	if d.Detail != wantDetail {
		t.Errorf("detail = %q\nwant     %q", d.Detail, wantDetail)
	}
	if got := protocol.FormatPath(d.Attribute); got != "placement.binary" {
		t.Errorf("attribute = %q, want placement.binary", got)
	}
}

func TestPlanInvalidRuntimeConfig(t *testing.T) {
	p := testPlacement(t)
	binary := fakeBinary(t, "rampart-waf", "build 1")
	runtime := wafConfig{httpPort: 70000, adminPort: 9901, upstream: "127.0.0.1:8000"}.runtimeValue()
	resp := p.Plan(context.Background(), &protocol.PlanRequest{
		Instance: wafInstance("waf.shop"),
		Config:   protocol.InstanceValue{Runtime: runtime, Placement: placementConfig(binary, nil)},
	})
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics.Err().Error(), "listen.http: port 70000 is out of range") {
		t.Errorf("diagnostics = %v, want the port range error", resp.Diagnostics.Err())
	}
}

// unknownHostnames makes the site's hostnames unknown, as when they come from another
// instance not yet created.
func unknownHostnames(runtime cty.Value) cty.Value {
	v, _ := cty.Transform(runtime, func(path cty.Path, v cty.Value) (cty.Value, error) {
		if len(path) > 0 {
			if step, ok := path[len(path)-1].(cty.GetAttrStep); ok && step.Name == "hostnames" {
				return cty.UnknownVal(v.Type()), nil
			}
		}
		return v, nil
	})
	return v
}

// BenchmarkPlanNoChange is the per-instance cost of planning an unchanged appliance, the
// common case of `rampart plan`.
func BenchmarkPlanNoChange(b *testing.B) {
	p := newPlacement()
	p.stateDir.set(b.TempDir())
	binary := fakeBinary(b, "rampart-waf", strings.Repeat("x", 8<<20))
	cfg := placementConfig(binary, nil)
	runtime := wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:8000"}.runtimeValue()
	sum, err := runtimes.BinarySHA256(binary)
	if err != nil {
		b.Fatal(err)
	}
	observed := protocol.InstanceValue{Runtime: runtime, Placement: shape.Value(cfg, map[string]cty.Value{
		attrPID: cty.NumberIntVal(1), attrConfigPath: cty.StringVal("/c"), attrLogPath: cty.StringVal("/l"),
		attrAdmin: cty.StringVal("127.0.0.1:9901"), attrBinarySHA256: cty.StringVal(sum),
	})}
	req := &protocol.PlanRequest{
		Instance: wafInstance("waf.shop"),
		Config:   protocol.InstanceValue{Runtime: runtime, Placement: cfg},
		Prior:    &observed, Observed: &observed,
	}
	b.ReportAllocs()
	for b.Loop() {
		if resp := p.Plan(context.Background(), req); len(resp.Details) != 0 || resp.Diagnostics.HasErrors() {
			b.Fatal("not a no-op")
		}
	}
}
