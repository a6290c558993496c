package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

// TestProviderThroughSDK drives the provider as the plugin server does (without gRPC):
// schema, Configure with state_dir, create with progress, delete.
func TestProviderThroughSDK(t *testing.T) {
	binary := wafBinary(t)
	prov := sdk.ProtocolProvider(New())
	ctx := context.Background()

	schema, diags := prov.GetSchema(ctx)
	mustNoErrors(t, diags)
	local := schema.Placements[PlacementType]
	if local == nil || strings.Join(local.Kinds, ",") != "cdr_sensor,gateway,scanner,waf" || local.Version != 1 {
		t.Fatalf("placement schema = %+v, want local hosting all four kinds, version 1", local)
	}
	if a := schema.Provider.Attributes["state_dir"]; a == nil || !a.Optional {
		t.Errorf("provider schema lacks optional state_dir")
	}

	stateDir := filepath.Join(t.TempDir(), "state")
	mustNoErrors(t, prov.Configure(ctx, cty.ObjectVal(map[string]cty.Value{"state_dir": cty.StringVal(stateDir)})))

	inst := wafInstance("waf.shop")
	config := protocol.InstanceValue{Runtime: newWAFConfig(t).runtimeValue(), Placement: placementConfig(binary, nil)}
	plan := prov.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	var events []string
	resp := prov.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config},
		func(e protocol.ApplyEvent) { events = append(events, e.Message) })
	mustNoErrors(t, resp.Diagnostics)
	pid := pidAttr(resp.New.Placement)
	configPath := shape.String(resp.New.Placement, attrConfigPath)
	killOnCleanup(t, pid, configPath)

	if want := filepath.Join(stateDir, "waf.shop", "config.json"); configPath != want {
		t.Errorf("config_path = %q, want %q (under the configured state_dir)", configPath, want)
	}
	if len(events) < 2 || !strings.HasPrefix(events[0], "starting rampart-waf (pid ") || !strings.HasPrefix(events[1], "waiting for /healthz on 127.0.0.1:") {
		t.Errorf("progress = %q", events)
	}
	if info, err := os.Stat(filepath.Dir(configPath)); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("instance directory: %v, want mode 0700", err)
	}

	del := prov.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Prior: resp.New}, nil)
	mustNoErrors(t, del.Diagnostics)
	if del.New != nil || ownsProcess(pid, configPath) {
		t.Errorf("after delete: New = %v, process running = %v", del.New, ownsProcess(pid, configPath))
	}
}

func TestValidate(t *testing.T) {
	p := newPlacement()
	cfg := placementConfig("", map[string]string{"GOOD": "secret-value", "BAD=NAME": "secret-value"})
	diags := p.Validate(context.Background(), &protocol.ValidateRequest{Block: PlacementType, Kind: "waf", Config: cfg})
	if len(diags) != 1 || protocol.FormatPath(diags[0].Attribute) != `env["BAD=NAME"]` {
		t.Fatalf("diagnostics = %v, want one about env[\"BAD=NAME\"]", diags.Err())
	}
	if strings.Contains(diags[0].Detail, "secret-value") {
		t.Errorf("diagnostic reveals an env value: %s", diags[0].Detail)
	}
}
