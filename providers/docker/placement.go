package docker

import (
	"strings"
	"time"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// Default time limits. They bound waits on containers that may never answer; none of
// them is a delay the provider sleeps through when the runtime is quick.
const (
	defaultHealthTimeout = 30 * time.Second
	defaultReloadTimeout = 15 * time.Second
	defaultStopTimeout   = 10 * time.Second
)

// Labels the provider puts on what it creates.
const (
	labelAppliance = "rampart.appliance" // instance address
	labelLineage   = "rampart.lineage"   // state lineage: which rampart state owns it
	labelKind      = "rampart.kind"      // on built images
	labelBinary    = "rampart.binary_sha256"
)

// placement implements sdk.Placement (plus Observer) for the `docker` placement type.
type placement struct {
	engine   engine
	tally    reservations // overcommit guard: what the planned appliances reserve
	networks networkLocks // managed networks: create and remove one at a time
	images   imageUse     // images this process is about to run: never pruned meanwhile
	builds   imageBuilds  // runtime images built or found by this process: once each
	tidy     deferredTidy // networks and images freed by deletes, checked after the last
	archives archiveCache // what each image_archive holds, read once

	// runtimeDir, when set, is where runtime binaries are looked for instead of next to
	// the provider executable (tests).
	runtimeDir string
	// extraLabels go on every container and image the provider creates (tests mark what
	// they must clean up).
	extraLabels map[string]string

	healthTimeout time.Duration // create: wait for /healthz
	reloadTimeout time.Duration // update: wait for /status to report the new config
	stopTimeout   time.Duration // delete: SIGTERM to SIGKILL
}

func newPlacement() *placement {
	return &placement{
		healthTimeout: defaultHealthTimeout,
		reloadTimeout: defaultReloadTimeout,
		stopTimeout:   defaultStopTimeout,
	}
}

// Schema describes the `docker` block.
func (p *placement) Schema() *protocol.PlacementSchema { return placementSchema() }

// labels returns the labels of the container of inst.
func (p *placement) labels(inst protocol.Instance) map[string]string {
	out := map[string]string{labelAppliance: inst.Address, labelLineage: inst.Lineage}
	for k, v := range p.extraLabels {
		out[k] = v
	}
	return out
}

// containerName is rampart-<address>-<lineage prefix>, with the characters Docker does
// not allow in names replaced: waf.edge["eu"] becomes rampart-waf.edge-eu--1a2b3c4d.
func containerName(inst protocol.Instance) string {
	var b strings.Builder
	for _, r := range inst.Address {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := "rampart-" + strings.Trim(b.String(), "-")
	if inst.Lineage != "" {
		name += "-" + inst.Lineage[:min(8, len(inst.Lineage))]
	}
	return name
}
