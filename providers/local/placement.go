package local

import (
	"path/filepath"
	"time"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// Default time limits. They bound waits on processes that may never answer; none of them
// is a delay the provider sleeps through when the runtime is quick.
const (
	defaultHealthTimeout = 15 * time.Second
	defaultReloadTimeout = 15 * time.Second
	defaultStopGrace     = 10 * time.Second
)

// placement implements sdk.Placement (plus Observer, Importer and Validator) for the
// `local` placement type.
type placement struct {
	stateDir stateDir

	healthTimeout time.Duration // create: wait for /healthz
	reloadTimeout time.Duration // update: wait for /status to report the new config
	stopGrace     time.Duration // delete: SIGTERM to SIGKILL
}

func newPlacement() *placement {
	return &placement{
		healthTimeout: defaultHealthTimeout,
		reloadTimeout: defaultReloadTimeout,
		stopGrace:     defaultStopGrace,
	}
}

// Schema describes the `local` block.
func (p *placement) Schema() *protocol.PlacementSchema { return placementSchema() }

// dirFor returns the directory of the instance at address.
func (p *placement) dirFor(address string) instanceDir {
	dir := p.stateDir.get()
	if dir == "" {
		// Configure was not called: the provider block is absent, use the default.
		dir, _ = filepath.Abs(DefaultStateDir)
	}
	return newInstanceDir(dir, address)
}
