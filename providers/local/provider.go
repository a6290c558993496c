// Package local is the `local` provider: it runs an appliance as a background process of
// its runtime binary (rampart-waf, rampart-gateway, ...) on the machine where rampart runs.
//
// Each instance gets a directory <state_dir>/<address>/ holding the configuration file the
// runtime loads (config.json), its log (runtime.log) and its process id (pid). Processes
// run in their own session so they outlive the plugin and the CLI; the provider finds them
// again through the pid recorded in state, checked against /proc so a reused pid is never
// mistaken for the appliance.
//
// It is the reference example of a provider written with providers/sdk.
package local

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

const (
	// ProviderName is the provider type, as in `provider "local" {}`.
	ProviderName = "local"
	// PlacementType is the placement block type, as in `waf "shop" { local {} }`.
	PlacementType = "local"
	// DefaultStateDir holds the instance directories, relative to the plugin's working
	// directory, which the engine sets to the configuration directory.
	DefaultStateDir = ".rampart/local"
)

// Version is the provider's version.
const Version = "0.1.0"

// New returns the local provider, ready for sdk.Serve.
func New() *sdk.Provider {
	p := newPlacement()
	return &sdk.Provider{
		Name:    ProviderName,
		Version: Version,
		Schema: &protocol.Schema{
			Description: "Runs appliances as background processes on this machine.",
			Attributes: map[string]*protocol.Attribute{
				"state_dir": {
					Type:        cty.String,
					Optional:    true,
					Description: "Directory holding one sub-directory per instance (config, log, pid). Default " + DefaultStateDir + ".",
				},
			},
		},
		Configure:  p.configure,
		Placements: map[string]sdk.Placement{PlacementType: p},
	}
}

// stateDir is the configured state directory, absolute. Configure sets it once; the
// mutex only makes that hand-over safe if calls ever overlap.
type stateDir struct {
	mu   sync.Mutex
	path string
}

func (s *stateDir) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path
}

func (s *stateDir) set(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.path = path
}

// configure reads the provider block. A null block (no `provider "local"` declared) means
// all defaults.
func (p *placement) configure(_ context.Context, config cty.Value) protocol.Diagnostics {
	dir := DefaultStateDir
	if !config.IsNull() && config.IsKnown() && config.Type().IsObjectType() && config.Type().HasAttribute("state_dir") {
		v := config.GetAttr("state_dir")
		if !v.IsKnown() {
			return protocol.Diagnostics{{
				Severity:  protocol.Error,
				Summary:   "state_dir is not known",
				Detail:    "The local provider needs state_dir before anything runs; do not derive it from values known only after apply.",
				Attribute: cty.GetAttrPath("state_dir"),
			}}
		}
		if !v.IsNull() && v.AsString() != "" {
			dir = v.AsString()
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return protocol.Diagnostics{}.FromErr("invalid state_dir", fmt.Errorf("resolve %s: %w", dir, err))
	}
	p.stateDir.set(abs)
	return nil
}
