package docker

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/docker/docker/client"
	"github.com/docker/go-units"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// inspectParallelism bounds the concurrent inspects of one refresh: enough to hide the
// engine's latency, few enough not to flood it.
const inspectParallelism = 16

// updatableAttrs are the settings `docker update` changes on a running container. Any
// other setting (env, ports, image, networks, mounts, capabilities) is fixed at creation:
// for the container rampart created (same id as in state) only these can have drifted.
var updatableAttrs = []string{attrMemory, attrMemorySwap, attrCPUs, attrPidsLimit, attrRestart}

// undetectableAttrs are not read back from a container: plan-time settings, and what the
// container's settings do not tell apart (an archive's image is an image).
var undetectableAttrs = []string{attrOvercommit, attrImageArchive, attrManagedNetwork, attrVolume}

// driftCheck is one running container to compare with the state of its instance.
type driftCheck struct {
	address     string
	containerID string
	kind        appliance.Kind
	prior       cty.Value // placement object from state
	// recreated: the container is not the one rampart created (another id), so every
	// setting may differ, not only the updatable ones.
	recreated bool
}

// observeSettings inspects the containers of checks, in parallel, and returns per
// address the placement object as it really is: each user attribute read back from the
// container, or the prior value where they mean the same thing ("512M" and 536870912
// bytes; null and empty), so only real differences show in plan, attribute by attribute.
// A container that cannot be inspected keeps its prior value (a failed read is not drift).
func observeSettings(ctx context.Context, cli *client.Client, inspected *inspections, checks []driftCheck) map[string]cty.Value {
	out := make(map[string]cty.Value, len(checks))
	var mu sync.Mutex
	envs := &imageEnvs{}
	var wg sync.WaitGroup
	for _, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, err := inspected.result(c.containerID)
			if err != nil || info.Config == nil || info.HostConfig == nil {
				return
			}
			// NET_BIND_SERVICE is the provider's own addition; a container rampart made
			// keeps its capabilities, so the runtime need not be parsed to tell.
			lowPorts := slices.ContainsFunc(info.HostConfig.CapAdd, func(c string) bool {
				return strings.TrimPrefix(strings.ToUpper(c), "CAP_") == "NET_BIND_SERVICE"
			}) && !hasCap(c.prior, "NET_BIND_SERVICE")
			settings, err := containerSettings(ctx, cli, envs, c.kind, lowPorts, info)
			if err != nil {
				return
			}
			v := mergeObserved(c.prior, settings, c.recreated)
			mu.Lock()
			out[c.address] = v
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// mergeObserved builds the observed placement object from the prior one and the settings
// read back from the container.
func mergeObserved(prior cty.Value, settings map[string]cty.Value, recreated bool) cty.Value {
	attrs := make(map[string]cty.Value, len(placementType.AttributeTypes()))
	for name := range placementType.AttributeTypes() {
		attrs[name] = shape.Attr(prior, name)
	}
	managed, _ := managedNetworks(prior)
	for _, name := range userAttrs {
		if slices.Contains(undetectableAttrs, name) || !recreated && !slices.Contains(updatableAttrs, name) {
			continue
		}
		if name == attrImage && shape.String(prior, attrImageArchive) != "" {
			continue
		}
		observed, ok := settings[name]
		if !ok {
			observed = cty.NullVal(placementType.AttributeType(name))
		}
		if name == attrNetwork && !observed.IsNull() {
			// Created on the first managed network: that is not `network = ...`.
			for _, n := range managed {
				if n.name == observed.AsString() && shape.String(prior, attrNetwork) == "" {
					observed = cty.NullVal(cty.String)
				}
			}
		}
		if protocol.ValuesEqual(observed, shape.Attr(prior, name)) {
			continue // the usual case, told without building a whole object to compare
		}
		candidate := placementObject(map[string]cty.Value{name: observed})
		if placementAttrEqual(name, candidate, prior) || name == attrMemorySwap && defaultSwap(settings, prior) {
			continue
		}
		attrs[name] = observed
	}
	return cty.ObjectVal(attrs)
}

// defaultSwap says whether the observed memory_swap is what Docker gives a container with
// a memory limit and no memory_swap (twice the memory), while state has none.
func defaultSwap(settings map[string]cty.Value, prior cty.Value) bool {
	if !shape.Attr(prior, attrMemorySwap).IsNull() {
		return false
	}
	memory, swap := settings[attrMemory], settings[attrMemorySwap]
	if memory == cty.NilVal || swap == cty.NilVal || memory.IsNull() || swap.IsNull() {
		return swap == cty.NilVal || swap.IsNull()
	}
	m, errM := units.RAMInBytes(memory.AsString())
	s, errS := memorySwapBytes(swap.AsString())
	return errM == nil && errS == nil && s == 2*m
}

// hasCap says whether the placement's cap_add names capability.
func hasCap(pl cty.Value, capability string) bool {
	caps, _ := capAdd(pl)
	return slices.Contains(caps, capability)
}
