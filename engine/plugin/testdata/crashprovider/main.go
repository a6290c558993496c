// Command crashprovider is a tiny provider used by the engine/plugin tests. Its placement
// "crashy" applies instantly, except that placement attribute crash = true makes the
// process exit in the middle of Apply and fail = true makes Apply return an ordinary error.
// The provider block's fail_refresh = true makes every refresh (Read) fail, as a provider
// whose infrastructure cannot be reached does.
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

// rawStderr is file descriptor 2 as it was before go-plugin redirected os.Stderr into its
// gRPC stdio stream. Writes to it reach rampart even when the process exits right after.
var rawStderr = os.Stderr

func main() {
	sdk.Serve(&sdk.Provider{
		Name:    "crashy",
		Version: "0.0.1",
		Schema: &protocol.Schema{Attributes: map[string]*protocol.Attribute{
			"label":        {Type: cty.String, Optional: true},
			"fail_refresh": {Type: cty.Bool, Optional: true},
		}},
		Configure: func(_ context.Context, config cty.Value) protocol.Diagnostics {
			failRefresh.Store(flag(config, "fail_refresh"))
			return nil
		},
		Placements: map[string]sdk.Placement{"crashy": placement{}},
	})
}

// failRefresh is the provider block's fail_refresh.
var failRefresh atomic.Bool

type placement struct{}

func (placement) Schema() *protocol.PlacementSchema {
	return &protocol.PlacementSchema{
		Kinds:   []string{"waf"},
		Version: 1,
		Block: &protocol.Schema{
			Description: "Runs nothing; crashes on request.",
			Attributes: map[string]*protocol.Attribute{
				"crash": {Type: cty.Bool, Optional: true, Description: "exit with status 3 during Apply"},
				"fail":  {Type: cty.Bool, Optional: true, Description: "return an error from Apply"},
				"delay": {Type: cty.String, Optional: true, Description: "take this long (a Go duration) to apply, so tests can interrupt an apply"},
			},
		},
	}
}

func (placement) Plan(_ context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	return &protocol.PlanResponse{Planned: req.Config}
}

func (placement) Apply(ctx context.Context, req *protocol.ApplyRequest, progress sdk.Progress) *protocol.ApplyResponse {
	progress("applying %s", req.Instance.Address)
	if d := duration(req.Planned.Placement, "delay"); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			var diags protocol.Diagnostics
			return &protocol.ApplyResponse{Diagnostics: diags.Errorf("Apply cancelled", "%v", ctx.Err())}
		}
	}
	if flag(req.Planned.Placement, "crash") {
		fmt.Fprintf(rawStderr, "crashprovider: simulated crash while applying %s\n", req.Instance.Address)
		os.Exit(3)
	}
	if flag(req.Planned.Placement, "fail") {
		var diags protocol.Diagnostics
		return &protocol.ApplyResponse{Diagnostics: diags.Errorf("Simulated failure", "fail = true was set")}
	}
	return &protocol.ApplyResponse{New: req.Planned}
}

func (placement) Read(_ context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	if failRefresh.Load() {
		var diags protocol.Diagnostics
		return &protocol.ReadResponse{Diagnostics: diags.Errorf("Simulated refresh failure", "fail_refresh = true was set")}
	}
	current := req.Current
	return &protocol.ReadResponse{Observed: protocol.Observed{Value: &current}}
}

func (placement) Delete(context.Context, *protocol.ApplyRequest, sdk.Progress) protocol.Diagnostics {
	return nil
}

// duration reads the string attribute name of v as a Go duration; 0 when unset.
func duration(v cty.Value, name string) time.Duration {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return 0
	}
	attr := v.GetAttr(name)
	if !attr.IsKnown() || attr.IsNull() || attr.Type() != cty.String {
		return 0
	}
	d, _ := time.ParseDuration(attr.AsString())
	return d
}

// flag reports whether the object v has the bool attribute name set to true.
func flag(v cty.Value, name string) bool {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return false
	}
	attr := v.GetAttr(name)
	return attr.IsKnown() && !attr.IsNull() && attr.Type() == cty.Bool && attr.True()
}
