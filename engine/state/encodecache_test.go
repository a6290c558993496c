package state

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// cachedElementOf returns the element cached for addr (nil when there is none).
func cachedElementOf(addr string) []byte {
	instanceElements.mu.Lock()
	defer instanceElements.mu.Unlock()
	return instanceElements.entries[addr].element
}

// sameBytes says whether a and b are the very same rendered element, not an equal copy.
func sameBytes(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
}

// loadedManager returns a Manager over a local backend in a temporary directory that
// holds initial, loaded.
func loadedManager(t *testing.T, initial *State) (*Manager, *Local) {
	t.Helper()
	t.Setenv(KeyEnv, conformanceKey)
	backend := NewLocal(filepath.Join(t.TempDir(), "rampart.state"))
	ctx := context.Background()
	if err := backend.Write(ctx, initial); err != nil {
		t.Fatal(err)
	}
	m := NewManager(backend)
	if _, err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return m, backend
}

// TestPersistRendersOnlyTheChangedInstance: after one instance of an apply, Persist reuses
// the rendered elements of all the others, sealed values included, and renders the
// changed one again; the file holds the new value.
func TestPersistRendersOnlyTheChangedInstance(t *testing.T) {
	ctx := context.Background()
	m, backend := loadedManager(t, wafDockerState(5))
	m.SetInstance(wafDockerInstance(4)) // a change, so the first Persist writes
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for i := range 5 {
		addr := wafDockerInstance(i).Address
		if before[addr] = cachedElementOf(addr); before[addr] == nil {
			t.Fatalf("%s is not cached after a Persist", addr)
		}
	}

	changed := withContainerID(wafDockerInstance(2), "recreated")
	m.SetInstance(changed)
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	for addr, element := range before {
		reused := sameBytes(cachedElementOf(addr), element)
		if addr == changed.Address && reused {
			t.Errorf("%s changed but its old element was reused", addr)
		}
		if addr != changed.Address && !reused {
			t.Errorf("%s did not change but was rendered again", addr)
		}
	}
	written, err := backend.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := written.Instance(changed.Address); got == nil || !got.Value.RawEquals(changed.Value) {
		t.Fatalf("the state file does not hold the changed value of %s", changed.Address)
	}
}

// TestSealedElementsAreReusedOnlyWithTheirKey: an element whose values were sealed with
// one key is never written into a document sealed with another, which could not open it.
func TestSealedElementsAreReusedOnlyWithTheirKey(t *testing.T) {
	first, err := ParseKey(conformanceKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{
		"same raw key parsed again": conformanceKey,
		"other raw key":             "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
		"passphrase":                "a passphrase of some length",
	} {
		t.Run(name, func(t *testing.T) {
			s := stamped(conformanceState())
			if _, err := s.Encode(first); err != nil {
				t.Fatal(err)
			}
			next, err := ParseKey(secret)
			if err != nil {
				t.Fatal(err)
			}
			data, err := s.Encode(next)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(data, next)
			if err != nil {
				t.Fatalf("a document sealed with a new key does not open with it: %v", err)
			}
			if diff := diffStates(s, back); diff != "" {
				t.Fatal(diff)
			}
		})
	}
}

// TestEncodeCacheForgetsDestroyedInstances: the cache holds only the instances of the
// state last encoded, so a long-running process does not keep destroyed ones.
func TestEncodeCacheForgetsDestroyedInstances(t *testing.T) {
	ctx := context.Background()
	m, _ := loadedManager(t, conformanceState())
	m.SetInstance(conformInstance("waf.new"))
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	gone := "waf.shop"
	if cachedElementOf(gone) == nil {
		t.Fatalf("%s not cached after a Persist", gone)
	}
	m.RemoveInstance(gone)
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	if cachedElementOf(gone) != nil {
		t.Errorf("the element of %s is still cached after it left the state", gone)
	}
}

// TestInstancesWithoutGenerationAreNotCached: an instance built or copied outside the
// Manager may be changed in place between two encodings, so it is always encoded afresh.
func TestInstancesWithoutGenerationAreNotCached(t *testing.T) {
	key := testKey(t)
	s := conformanceState()
	if _, err := s.Encode(key); err != nil {
		t.Fatal(err)
	}
	s.Instances[0].Value = cty.ObjectVal(map[string]cty.Value{"note": cty.StringVal("changed in place")})
	data, err := s.Encode(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffStates(s, got); diff != "" {
		t.Fatalf("second write does not hold the value changed in place:\n%s", diff)
	}
}

// TestManagerNeverSharesStoredInstances: what a caller does to the instance it recorded,
// or to the copies the Manager hands out, never reaches what the Manager persists (its
// cache relies on stored instances never changing).
func TestManagerNeverSharesStoredInstances(t *testing.T) {
	ctx := context.Background()
	m, backend := loadedManager(t, conformanceState())
	loaded := m.Current()

	recorded := conformInstance("waf.recorded")
	recorded.Private = []byte("private")
	recorded.Dependencies = []string{"gateway.dc1"}
	m.SetInstance(recorded)
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	want := m.Current()

	// Change everything the caller can reach, in place.
	recorded.Value = cty.ObjectVal(map[string]cty.Value{"note": cty.StringVal("changed by the caller")})
	recorded.Private[0] = 'X'
	recorded.Dependencies[0] = "changed"
	current := m.Current()
	for _, s := range []*State{loaded, current} {
		for _, inst := range s.Instances {
			if inst.gen != 0 {
				t.Fatalf("a copy handed out has generation %d: changes to it could be mistaken for stored ones", inst.gen)
			}
			inst.Value = cty.ObjectVal(map[string]cty.Value{"note": cty.StringVal("changed in a copy")})
			inst.Dependencies = append(inst.Dependencies, "changed")
		}
	}

	if diff := diffStates(want, m.Current()); diff != "" {
		t.Fatalf("a change outside the Manager reached its state: %s", diff)
	}

	m.SetOutputs(map[string]*Output{"o": {Value: cty.StringVal("a change, so Persist writes")}})
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	written, err := backend.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want.Serial = written.Serial
	want.Outputs = written.Outputs
	if diff := diffStates(want, written); diff != "" {
		t.Fatalf("a change outside the Manager reached the state file: %s", diff)
	}
}
