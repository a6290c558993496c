package docker

import (
	"math/big"

	"github.com/docker/go-units"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// placementAttrEqual compares one user attribute of two placement objects by what it
// means to Docker: "512M" and "536870912" are the same memory limit (an imported
// container reports bytes), 1.5 and 1.50 the same CPU limit.
func placementAttrEqual(name string, a, b cty.Value) bool {
	va, vb := shape.Attr(a, name), shape.Attr(b, name)
	if protocol.ValuesEqual(va, vb) {
		return true
	}
	switch name {
	case attrMemory:
		na, errA := units.RAMInBytes(shape.String(a, name))
		nb, errB := units.RAMInBytes(shape.String(b, name))
		return errA == nil && errB == nil && na == nb
	case attrMemorySwap:
		if va.IsNull() != vb.IsNull() {
			// Docker gives a container with a memory limit and no memory_swap twice the
			// memory: an imported or refreshed container reports it.
			set := a
			if va.IsNull() {
				set = b
			}
			return isDefaultSwap(set)
		}
		na, errA := memorySwapBytes(shape.String(a, name))
		nb, errB := memorySwapBytes(shape.String(b, name))
		return errA == nil && errB == nil && na == nb
	case attrCPUs:
		return nanoCPUs(va) == nanoCPUs(vb)
	case attrManagedNetwork:
		return sameManagedNetworks(a, b)
	}
	return false
}

// sameManagedNetworks compares managed_network blocks by name and internal; a subnet
// left to Docker equals whatever Docker chose (an imported container reports it).
func sameManagedNetworks(a, b cty.Value) bool {
	na, _ := managedNetworks(a)
	nb, _ := managedNetworks(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		x, y := na[i], nb[i]
		if x.name != y.name || x.internal != y.internal || x.subnet != "" && y.subnet != "" && x.subnet != y.subnet {
			return false
		}
	}
	return true
}

// nanoCPUs is a cpus value as Docker stores it (billionths of a CPU); 0 when unset.
func nanoCPUs(v cty.Value) int64 {
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return 0
	}
	nano, _ := new(big.Float).Mul(v.AsBigFloat(), big.NewFloat(1e9)).Int64()
	return nano
}

// isDefaultSwap says whether pl's memory_swap is twice its memory, what Docker sets
// when only memory is given.
func isDefaultSwap(pl cty.Value) bool {
	m, errM := units.RAMInBytes(shape.String(pl, attrMemory))
	s, errS := memorySwapBytes(shape.String(pl, attrMemorySwap))
	return errM == nil && errS == nil && m > 0 && s == 2*m
}
