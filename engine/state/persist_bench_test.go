package state

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// BenchmarkPersistOneChange200WAFDocker measures what an apply of 200 Docker WAFs pays
// after each instance: one SetInstance, then Persist of the whole state to the local
// backend (encode, atomic write with fsync, backup). Two prebuilt versions of the changed
// instance alternate, so building the value is not measured.
func BenchmarkPersistOneChange200WAFDocker(b *testing.B) {
	b.Setenv(KeyEnv, conformanceKey)
	ctx := context.Background()
	backend := NewLocal(filepath.Join(b.TempDir(), "rampart.state"))
	if err := backend.Write(ctx, wafDockerState(200)); err != nil {
		b.Fatal(err)
	}
	m := NewManager(backend)
	if _, err := m.Load(ctx); err != nil {
		b.Fatal(err)
	}
	versions := [2]*Instance{wafDockerInstance(100), withContainerID(wafDockerInstance(100), "recreated")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.SetInstance(versions[i%2])
		if err := m.Persist(ctx); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// withContainerID returns inst with its placement's container_id replaced.
func withContainerID(inst *Instance, id string) *Instance {
	placement := inst.Value.GetAttr("placement")
	attrs := placement.AsValueMap()
	attrs["container_id"] = cty.StringVal(id)
	inst.Value = cty.ObjectVal(map[string]cty.Value{"runtime": inst.Value.GetAttr("runtime"), "placement": cty.ObjectVal(attrs)})
	return inst
}

// BenchmarkEncodeOneChange200WAFDocker is the encoding part of the benchmark above, the
// CPU of it: the document of 200 Docker WAFs of which one changed since the last encoding,
// into a reused buffer as Local.Write does.
func BenchmarkEncodeOneChange200WAFDocker(b *testing.B) {
	key := testKey(b)
	s := stamped(wafDockerState(200))
	versions := [2]*Instance{wafDockerInstance(100), withContainerID(wafDockerInstance(100), "recreated")}
	b.ReportAllocs()
	var buf []byte
	i := 0
	for b.Loop() {
		changed := versions[i%2].DeepCopy()
		changed.stamp()
		s.SetInstance(changed)
		var err error
		if buf, err = s.appendEncoded(buf[:0], key); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
