package docker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/docker/docker/client"
	"github.com/docker/go-units"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// reservation is what one appliance's container limits reserve on the Docker host.
// Zero means no limit (nothing reserved).
type reservation struct {
	memory     int64 // bytes
	memorySwap int64 // bytes of memory plus swap; -1 is unlimited swap
	nanoCPUs   int64
}

// hostCapacity is what the engine's /info reports about its host.
type hostCapacity struct {
	memory int64 // MemTotal, bytes
	cpus   int   // NCPU
}

// reservations tallies, for the life of the provider process (one rampart command),
// what the appliances planned on this provider's host reserve, keyed by instance
// address. Every Plan call records its instance and checks the total so far: the last
// Plan of the run sees every appliance.
type reservations struct {
	mu       sync.Mutex
	byAddr   map[string]reservation
	capacity *hostCapacity // from /info, read once
}

// record sets the reservation of address (removes it when r is nil) and returns the
// total of all recorded appliances.
func (t *reservations) record(address string, r *reservation) reservation {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byAddr == nil {
		t.byAddr = map[string]reservation{}
	}
	if r == nil {
		delete(t.byAddr, address)
	} else {
		t.byAddr[address] = *r
	}
	var sum reservation
	for _, each := range t.byAddr {
		sum.memory += each.memory
		if each.memorySwap > 0 {
			sum.memorySwap += each.memorySwap
		}
		sum.nanoCPUs += each.nanoCPUs
	}
	return sum
}

// hostCapacity reads /info once per provider process.
func (t *reservations) hostCapacity(ctx context.Context, cli *client.Client) (hostCapacity, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.capacity != nil {
		return *t.capacity, nil
	}
	info, err := cli.Info(ctx)
	if err != nil {
		return hostCapacity{}, fmt.Errorf("read the host's memory and CPUs from %s/info: %w", cli.DaemonHost(), err)
	}
	t.capacity = &hostCapacity{memory: info.MemTotal, cpus: info.NCPU}
	return *t.capacity, nil
}

// placementReservation reads the limits of a placement block; unknown values reserve
// nothing yet (they are checked again when known).
func placementReservation(pl cty.Value) reservation {
	plain, _ := pl.UnmarkDeep()
	var r reservation
	if n, err := units.RAMInBytes(shape.String(plain, attrMemory)); err == nil {
		r.memory = n
	}
	if s := shape.String(plain, attrMemorySwap); s != "" {
		if n, err := memorySwapBytes(s); err == nil {
			r.memorySwap = n
		}
	}
	r.nanoCPUs = nanoCPUs(shape.Attr(plain, attrCPUs))
	return r
}

// overcommitted lists what the total reserves beyond the host's capacity, as sentences
// with the figures. Swap is compared as memory plus swap against the host's memory: /info
// does not report the host's swap, so a memory_swap total above twice MemTotal (the
// kernel default a container gets without memory_swap) is what counts as too much.
func overcommitted(host string, sum reservation, capacity hostCapacity) []string {
	var out []string
	if capacity.memory > 0 && sum.memory > capacity.memory {
		out = append(out, fmt.Sprintf("the appliances on %s would reserve %s of memory, the host has %s",
			host, units.BytesSize(float64(sum.memory)), units.BytesSize(float64(capacity.memory))))
	}
	if capacity.memory > 0 && sum.memorySwap > 2*capacity.memory {
		out = append(out, fmt.Sprintf("the appliances on %s would reserve %s of memory plus swap, more than twice the host's %s of memory",
			host, units.BytesSize(float64(sum.memorySwap)), units.BytesSize(float64(capacity.memory))))
	}
	if capacity.cpus > 0 && sum.nanoCPUs > int64(capacity.cpus)*1e9 {
		out = append(out, fmt.Sprintf("the appliances on %s would reserve %g CPUs, the host has %d",
			host, float64(sum.nanoCPUs)/1e9, capacity.cpus))
	}
	sort.Strings(out)
	return out
}

// checkOvercommit records inst's reservation and fails the plan when the appliances of
// this provider reserve more than the host has, unless the placement allows it.
func (p *placement) checkOvercommit(ctx context.Context, inst protocol.Instance, pl cty.Value) protocol.Diagnostics {
	r := placementReservation(pl)
	sum := p.tally.record(inst.Address, &r)
	if r == (reservation{}) {
		return nil // this appliance reserves nothing; others are checked on their own Plan
	}
	if v, _ := shape.Attr(pl, attrOvercommit).Unmark(); !v.IsNull() && v.IsKnown() && v.True() {
		return nil
	}
	cli, err := p.engine.get()
	if err != nil {
		return protocol.Diagnostics{}.FromErr("cannot reach the Docker engine", err)
	}
	capacity, err := p.tally.hostCapacity(ctx, cli)
	if err != nil {
		return protocol.Diagnostics{}.FromErr("cannot check the host's capacity", err)
	}
	problems := overcommitted(cli.DaemonHost(), sum, capacity)
	if len(problems) == 0 {
		return nil
	}
	return protocol.Diagnostics{{
		Severity: protocol.Error,
		Summary:  "Docker host overcommitted",
		Detail: strings.Join(problems, "; ") + ". Lower memory, memory_swap or cpus, place some appliances on another " +
			"Docker host, or set allow_overcommit = true in the docker block.",
		Attribute: cty.GetAttrPath("placement").GetAttr(attrMemory),
	}}
}
