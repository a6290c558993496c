package engine

import (
	"testing"

	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

func TestDecideAction(t *testing.T) {
	value := func(port int64) *protocol.InstanceValue {
		return &protocol.InstanceValue{
			Runtime:   cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(port)}),
			Placement: cty.ObjectVal(map[string]cty.Value{"pid": cty.NumberIntVal(42)}),
		}
	}
	unknownPID := func(port int64) protocol.InstanceValue {
		v := *value(port)
		v.Placement = cty.ObjectVal(map[string]cty.Value{"pid": cty.UnknownVal(cty.Number)})
		return v
	}
	replacePath := []cty.Path{cty.GetAttrPath("runtime").GetAttr("http")}
	tests := []struct {
		name       string
		prior      *protocol.InstanceValue
		observed   *protocol.InstanceValue
		planned    protocol.InstanceValue
		replace    []cty.Path
		cbd        bool
		want       plans.Action
		wantReason string
	}{
		{"new instance", nil, nil, unknownPID(80), nil, false, plans.Create, ""},
		{"deleted outside rampart", value(80), nil, unknownPID(80), nil, false, plans.Create, "deleted outside rampart"},
		{"unchanged", value(80), value(80), *value(80), nil, false, plans.NoOp, ""},
		{"reloadable change", value(80), value(80), *value(81), nil, false, plans.Update, ""},
		{"forced replacement", value(80), value(80), unknownPID(81), replacePath, false, plans.DeleteThenCreate, ""},
		{"create before destroy", value(80), value(80), unknownPID(81), replacePath, true, plans.CreateThenDelete, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &protocol.PlanRequest{Prior: tt.prior, Observed: tt.observed}
			resp := &protocol.PlanResponse{Planned: tt.planned, RequiresReplace: tt.replace}
			got, reason := decideAction(req, resp, tt.cbd)
			if got != tt.want || reason != tt.wantReason {
				t.Fatalf("decideAction = %s (%q), want %s (%q)", got, reason, tt.want, tt.wantReason)
			}
		})
	}
}
