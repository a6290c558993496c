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
		na, errA := memorySwapBytes(shape.String(a, name))
		nb, errB := memorySwapBytes(shape.String(b, name))
		return errA == nil && errB == nil && na == nb
	case attrCPUs:
		return nanoCPUs(va) == nanoCPUs(vb)
	}
	return false
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
