// Command exampleprovider is the smallest complete rampart provider: one placement,
// "example", that keeps its instances in memory. The SDK's end-to-end test builds and
// launches it as a real plugin process.
package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

func main() {
	p := &placement{}
	sdk.Serve(&sdk.Provider{
		Name:    "example",
		Version: "0.1.0",
		Schema: &protocol.Schema{Attributes: map[string]*protocol.Attribute{
			"greeting": {Type: cty.String, Optional: true},
		}},
		Configure: p.configure,
		Placements: map[string]sdk.Placement{
			"example": p,
		},
	})
}

// placement implements sdk.Placement without Observer or Importer, so the SDK's
// fallbacks are what the test sees.
type placement struct {
	mu       sync.Mutex
	greeting string
}

func (p *placement) configure(_ context.Context, config cty.Value) protocol.Diagnostics {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := config.GetAttr("greeting"); !g.IsNull() {
		p.greeting = g.AsString()
	}
	return nil
}

func (p *placement) Schema() *protocol.PlacementSchema {
	return &protocol.PlacementSchema{
		Kinds:   []string{"waf"},
		Version: 1,
		Block: &protocol.Schema{Attributes: map[string]*protocol.Attribute{
			"name":    {Type: cty.String, Required: true},
			"address": {Type: cty.String, Computed: true},
			"token":   {Type: cty.String, Computed: true, Sensitive: true},
		}},
	}
}

// Plan echoes the config with the computed attributes filled in: address unknown until
// apply, token known but sensitive. Its details describe what arrived, so the test can
// check that marks and unknowns crossed the wire.
func (p *placement) Plan(_ context.Context, req *protocol.PlanRequest) *protocol.PlanResponse {
	p.mu.Lock()
	greeting := p.greeting
	p.mu.Unlock()
	name := req.Config.Placement.GetAttr("name")
	planned := cty.ObjectVal(map[string]cty.Value{
		"name":    name,
		"address": cty.UnknownVal(cty.String),
		"token":   cty.StringVal("token-of-" + name.AsString()).Mark(protocol.SensitiveMark),
	})
	return &protocol.PlanResponse{
		Planned: protocol.InstanceValue{Runtime: req.Config.Runtime, Placement: planned},
		Details: []string{
			"greeting: " + greeting,
			"sensitive: " + describePaths(req.Config.Runtime, func(v cty.Value) bool { return v.HasMark(protocol.SensitiveMark) }),
			"unknown: " + describePaths(req.Config.Runtime, func(v cty.Value) bool { return !v.IsKnown() }),
		},
	}
}

func describePaths(v cty.Value, match func(cty.Value) bool) string {
	var paths []string
	_ = cty.Walk(v, func(at cty.Path, v cty.Value) (bool, error) {
		if len(at) > 0 && match(v) {
			paths = append(paths, protocol.FormatPath(at))
		}
		return true, nil
	})
	sort.Strings(paths)
	return strings.Join(paths, ",")
}

func (p *placement) Apply(_ context.Context, req *protocol.ApplyRequest, progress sdk.Progress) *protocol.ApplyResponse {
	progress("creating %s", req.Instance.Address)
	progress("starting %s", req.Instance.Address)
	progress("%s is healthy", req.Instance.Address)
	placement := req.Planned.Placement
	attrs := placement.AsValueMap()
	attrs["address"] = cty.StringVal("127.0.0.1:8080")
	return &protocol.ApplyResponse{
		New:     &protocol.InstanceValue{Runtime: req.Planned.Runtime, Placement: cty.ObjectVal(attrs)},
		Private: []byte("pid=1"),
	}
}

// Read reports instances named "gone" as deleted and everything else as unchanged.
func (p *placement) Read(_ context.Context, req *protocol.ReadRequest) *protocol.ReadResponse {
	if req.Current.Placement.GetAttr("name").AsString() == "gone" {
		return &protocol.ReadResponse{}
	}
	current := req.Current
	return &protocol.ReadResponse{Observed: protocol.Observed{
		Value:  &current,
		Status: protocol.Status{Health: "healthy", Detail: fmt.Sprintf("read %s", req.Instance.Address)},
	}}
}

func (p *placement) Delete(_ context.Context, req *protocol.ApplyRequest, progress sdk.Progress) protocol.Diagnostics {
	progress("deleted %s", req.Instance.Address)
	return nil
}
