package docker

import (
	"context"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

const gib = int64(1) << 30

func TestOvercommitted(t *testing.T) {
	host := "unix:///var/run/docker.sock"
	capacity := hostCapacity{memory: 16 * gib, cpus: 4}
	tests := []struct {
		name string
		sum  reservation
		want []string
	}{
		{"nothing reserved", reservation{}, nil},
		{"exactly the host", reservation{memory: 16 * gib, memorySwap: 32 * gib, nanoCPUs: 4e9}, nil},
		{"memory", reservation{memory: 18 * gib},
			[]string{"the appliances on unix:///var/run/docker.sock would reserve 18GiB of memory, the host has 16GiB"}},
		{"cpus", reservation{nanoCPUs: 4500e6},
			[]string{"the appliances on unix:///var/run/docker.sock would reserve 4.5 CPUs, the host has 4"}},
		{"swap", reservation{memory: 8 * gib, memorySwap: 33 * gib},
			[]string{"the appliances on unix:///var/run/docker.sock would reserve 33GiB of memory plus swap, more than twice the host's 16GiB of memory"}},
		{"both", reservation{memory: 17 * gib, nanoCPUs: 5e9}, []string{
			"the appliances on unix:///var/run/docker.sock would reserve 17GiB of memory, the host has 16GiB",
			"the appliances on unix:///var/run/docker.sock would reserve 5 CPUs, the host has 4",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := overcommitted(host, tc.sum, capacity)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("overcommitted = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReservationsTally(t *testing.T) {
	var tally reservations
	r := placementReservation(dockerPlacement(map[string]cty.Value{
		attrMemory: cty.StringVal("1G"), attrMemorySwap: cty.StringVal("2G"), attrCPUs: cty.NumberFloatVal(1.5),
	}))
	if want := (reservation{memory: gib, memorySwap: 2 * gib, nanoCPUs: 1500e6}); r != want {
		t.Fatalf("placementReservation = %+v, want %+v", r, want)
	}
	tally.record("waf.a", &r)
	tally.record("waf.b", &r)
	unlimited := reservation{memory: gib, memorySwap: -1}
	sum := tally.record("waf.c", &unlimited)
	if want := (reservation{memory: 3 * gib, memorySwap: 4 * gib, nanoCPUs: 3e9}); sum != want {
		t.Errorf("sum of three = %+v, want %+v", sum, want)
	}
	// Planning waf.a again replaces its figures; planning it away removes them.
	tally.record("waf.a", &r)
	if sum := tally.record("waf.c", nil); sum != (reservation{memory: 2 * gib, memorySwap: 4 * gib, nanoCPUs: 3e9}) {
		t.Errorf("sum after removing waf.c = %+v", sum)
	}
}

// TestPlanRefusesOvercommit plans a memory limit far beyond the real host's /info:
// an error with the figures, unless allow_overcommit is set.
func TestPlanRefusesOvercommit(t *testing.T) {
	p, _ := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.huge", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	huge := map[string]cty.Value{attrMemory: cty.StringVal("1000T")}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: protocol.InstanceValue{
		Runtime: wafRuntime(8080, "shop.example"), Placement: dockerPlacement(huge)}})
	if !plan.Diagnostics.HasErrors() {
		t.Fatal("plan of 1000T of memory succeeded, want an overcommit error")
	}
	if msg := plan.Diagnostics.Err().Error(); !strings.Contains(msg, "would reserve 1000TiB of memory, the host has") {
		t.Errorf("error = %q, want the figures", msg)
	}
	huge[attrOvercommit] = cty.True
	allowed := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: protocol.InstanceValue{
		Runtime: wafRuntime(8080, "shop.example"), Placement: dockerPlacement(huge)}})
	mustNoErrors(t, allowed.Diagnostics)
}

func TestCapAddValidation(t *testing.T) {
	tests := []struct {
		caps    []string
		want    []string
		wantErr bool
	}{
		{caps: nil, want: nil},
		{caps: []string{"NET_RAW"}, want: []string{"NET_RAW"}},
		{caps: []string{"cap_net_admin", "net_raw"}, want: []string{"NET_ADMIN", "NET_RAW"}},
		{caps: []string{"NET_RAW", "RAW_SOCKETS"}, wantErr: true},
	}
	for _, tc := range tests {
		attrs := map[string]cty.Value{}
		if tc.caps != nil {
			var vals []cty.Value
			for _, c := range tc.caps {
				vals = append(vals, cty.StringVal(c))
			}
			attrs[attrCapAdd] = cty.ListVal(vals)
		}
		got, diags := capAdd(dockerPlacement(attrs))
		if diags.HasErrors() != tc.wantErr {
			t.Errorf("capAdd(%v): errors %v, want error %v", tc.caps, diags.Err(), tc.wantErr)
			continue
		}
		if tc.wantErr {
			if msg := diags.Err().Error(); !strings.Contains(msg, `"RAW_SOCKETS"`) {
				t.Errorf("error %q does not name the bad capability", msg)
			}
			continue
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("capAdd(%v) = %v, want %v", tc.caps, got, tc.want)
		}
	}
}
