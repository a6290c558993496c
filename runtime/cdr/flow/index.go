package flow

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// flowIndex finds a flow by its key. It is an open-addressing hash table with linear
// probing and backward-shift deletion, written for the table's access pattern rather than
// using a Go map:
//
//   - A scan creates and ends a flow for nearly every other packet. Go's map leaves a
//     tombstone per delete, so lookups of new keys (every probe of a scan) walked ever
//     longer probe sequences until the next rehash: most of a replay's time. Backward-shift
//     deletion leaves no tombstones, so a miss stops at the first empty slot.
//   - The hash of a packet's key is computed once and reused for the insert that follows a
//     miss; a flow keeps its hash, so removing it needs no hashing and no key comparison.
//
// The hash is keyed with a random seed per index, so traffic cannot be crafted to collide
// (packets are attacker-controlled input). The load factor stays at or below one half.
type flowIndex struct {
	slots []indexSlot
	mask  uint64 // len(slots) - 1; len(slots) is a power of two
	count int
	seed  [6]uint64
}

type indexSlot struct {
	hash uint64
	flow *Flow // nil: empty
}

// newFlowIndex returns an index sized for expected flows (it grows past that as needed).
func newFlowIndex(expected int) flowIndex {
	x := flowIndex{}
	for i := range x.seed {
		x.seed[i] = rand.Uint64() | 1 // odd: a seed word is never zero
	}
	x.resize(slotsFor(expected))
	return x
}

// slotsFor is the power of two that holds n flows at a load of at most one half.
func slotsFor(n int) int {
	return 1 << bits.Len(uint(max(n, 8)*2-1))
}

// hash mixes the key's 41 bytes into 64 bits: three 64×64→128-bit multiplications of
// seeded words, folded (the core of wyhash), then one more to spread the bits the mask
// keeps.
func (x *flowIndex) hash(k *Key) uint64 {
	lowA, lowB := binary.LittleEndian.Uint64(k.Low[:8]), binary.LittleEndian.Uint64(k.Low[8:])
	highA, highB := binary.LittleEndian.Uint64(k.High[:8]), binary.LittleEndian.Uint64(k.High[8:])
	rest := uint64(k.VNI)<<32 | uint64(k.LowPort)<<16 | uint64(k.HighPort)
	h := mix(lowA^x.seed[0], lowB^x.seed[1]) ^
		mix(highA^x.seed[2], highB^x.seed[3]) ^
		mix(rest^x.seed[4], uint64(k.Proto)^x.seed[5])
	return mix(h^x.seed[0], x.seed[5])
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// find returns the flow with key k (whose hash is h), or nil.
func (x *flowIndex) find(k *Key, h uint64) *Flow {
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.flow == nil {
			return nil
		}
		if s.hash == h && s.flow.key == *k {
			return s.flow
		}
	}
}

// insert adds f, whose key is not in the index, under its hash f.hash.
func (x *flowIndex) insert(f *Flow) {
	if (x.count+1)*2 > len(x.slots) {
		x.resize(len(x.slots) * 2)
	}
	x.place(f)
	x.count++
}

func (x *flowIndex) place(f *Flow) {
	i := f.hash & x.mask
	for x.slots[i].flow != nil {
		i = (i + 1) & x.mask
	}
	x.slots[i] = indexSlot{hash: f.hash, flow: f}
}

// remove takes f out of the index. Entries after it that probed past its slot move back,
// so every entry stays reachable from its home slot without tombstones.
func (x *flowIndex) remove(f *Flow) {
	hole := f.hash & x.mask
	for x.slots[hole].flow != f {
		if x.slots[hole].flow == nil {
			return // not in the index
		}
		hole = (hole + 1) & x.mask
	}
	for j := (hole + 1) & x.mask; x.slots[j].flow != nil; j = (j + 1) & x.mask {
		// The entry at j may fill the hole unless its home slot lies cyclically in
		// (hole, j]: then the hole is before its home, where a lookup would not look.
		home := x.slots[j].hash & x.mask
		if (j-home)&x.mask >= (j-hole)&x.mask {
			x.slots[hole] = x.slots[j]
			hole = j
		}
	}
	x.slots[hole] = indexSlot{}
	x.count--
}

// resize rebuilds the index with n slots.
func (x *flowIndex) resize(n int) {
	old := x.slots
	x.slots = make([]indexSlot, n)
	x.mask = uint64(n - 1)
	for _, s := range old {
		if s.flow != nil {
			x.place(s.flow)
		}
	}
}
