package flow

import (
	"math/rand/v2"
	"testing"
)

// The index agrees with a Go map through a long random run of inserts and removals, with
// hashes chosen to collide heavily (a handful of home slots), which is where backward-shift
// deletion can go wrong: an entry moved before its home slot, or left behind a hole.
func TestFlowIndexMatchesAMapUnderChurn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hashes uint64 // distinct hash values drawn from: small = many collisions
		keys   int
	}{
		{"all in one chain", 1, 40},
		{"few home slots", 7, 300},
		{"spread", 1 << 62, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			x := newFlowIndex(4) // starts small: the run also grows it
			want := map[Key]*Flow{}
			flows := make([]*Flow, tc.keys)
			for i := range flows {
				f := &Flow{hash: rng.Uint64N(tc.hashes) * 0x9e3779b97f4a7c15}
				f.key.LowPort, f.key.HighPort = uint16(i), uint16(i>>16)
				flows[i] = f
			}
			for step := range 20 * tc.keys {
				f := flows[rng.IntN(len(flows))]
				if want[f.key] == nil {
					x.insert(f)
					want[f.key] = f
				} else {
					x.remove(f)
					delete(want, f.key)
				}
				if x.count != len(want) {
					t.Fatalf("step %d: count %d, want %d", step, x.count, len(want))
				}
				if step%7 == 0 || step == 20*tc.keys-1 {
					for _, g := range flows {
						if got := x.find(&g.key, g.hash); got != want[g.key] {
							t.Fatalf("step %d: find(%v) = %p, want %p", step, g.key, got, want[g.key])
						}
					}
				}
			}
			if len(x.slots) < 2*x.count {
				t.Errorf("%d slots for %d flows: the load must stay at or below one half", len(x.slots), x.count)
			}
		})
	}
}

// Keys differing in any one field hash differently (a field left out of the hash would
// put every flow that differs only there in one chain).
func TestFlowIndexHashCoversEveryField(t *testing.T) {
	x := newFlowIndex(8)
	base := Key{VNI: 7, Proto: 6, LowPort: 1000, HighPort: 80}
	base.Low[15], base.High[15] = 1, 2
	variants := map[string]func(k *Key){
		"VNI":      func(k *Key) { k.VNI++ },
		"Proto":    func(k *Key) { k.Proto = 17 },
		"LowPort":  func(k *Key) { k.LowPort++ },
		"HighPort": func(k *Key) { k.HighPort++ },
		"Low[0]":   func(k *Key) { k.Low[0] = 0x20 },
		"Low[15]":  func(k *Key) { k.Low[15]++ },
		"High[0]":  func(k *Key) { k.High[0] = 0x20 },
		"High[15]": func(k *Key) { k.High[15]++ },
	}
	h := x.hash(&base)
	for name, change := range variants {
		k := base
		change(&k)
		if x.hash(&k) == h {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
}

// BenchmarkFlowIndexChurn is a scan's use of the index: look up a new key (a miss), insert
// it, remove it again, in a table holding 100,000 other flows.
func BenchmarkFlowIndexChurn(b *testing.B) {
	x := newFlowIndex(1 << 16)
	resident := make([]Flow, 100_000)
	for i := range resident {
		f := &resident[i]
		f.key.LowPort, f.key.HighPort, f.key.VNI = uint16(i), uint16(i>>16), 1
		f.hash = x.hash(&f.key)
		x.insert(f)
	}
	var probe Flow
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		probe.key = Key{VNI: 2, LowPort: uint16(i), HighPort: uint16(i >> 16)}
		probe.hash = x.hash(&probe.key)
		if x.find(&probe.key, probe.hash) != nil {
			b.Fatal("found a key never inserted")
		}
		x.insert(&probe)
		x.remove(&probe)
	}
}
