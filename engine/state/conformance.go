package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// OpenBackend opens one more client of the same store, as another rampart process would.
type OpenBackend func() Backend

// RunBackendConformance runs the tests every Backend must pass. newStore makes an empty
// store for one test (cleaning it up with t.Cleanup) and returns how to open clients of
// it. The local backend's tests call it; a PostgreSQL backend's tests call it the same way.
// It sets RAMPART_STATE_KEY, so it cannot run in parallel with other tests.
func RunBackendConformance(t *testing.T, newStore func(t *testing.T) OpenBackend) {
	t.Setenv(KeyEnv, conformanceKey)
	t.Run("read missing", func(t *testing.T) { conformReadMissing(t, newStore(t)) })
	t.Run("round trip", func(t *testing.T) { conformRoundTrip(t, newStore(t)) })
	t.Run("serial and lineage through managers", func(t *testing.T) { conformSerialLineage(t, newStore(t)) })
	t.Run("atomic write", func(t *testing.T) { conformAtomicWrite(t, newStore(t)) })
	t.Run("lock exclusion", func(t *testing.T) { conformLockExclusion(t, newStore(t)) })
	t.Run("lock waits for release", func(t *testing.T) { conformLockWait(t, newStore(t)) })
	t.Run("two applies racing", func(t *testing.T) { conformRacingApplies(t, newStore(t)) })
}

// conformanceKey is a fixed raw key for tests only.
const conformanceKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func conformContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func conformReadMissing(t *testing.T, open OpenBackend) {
	s, err := open().Read(conformContext(t))
	if err != nil || s != nil {
		t.Fatalf("Read of an empty store = (%v, %v), want (nil, nil)", s, err)
	}
}

// conformanceState returns a state exercising what the codec must preserve: nested
// objects, sensitive values at several depths, nulls, empty collections, private data,
// dependencies and outputs.
func conformanceState() *State {
	s := NewState()
	s.Serial = 41
	secret := cty.StringVal("hunter2").Mark(protocol.SensitiveMark)
	s.SetInstance(&Instance{
		Address: "waf.shop", Kind: "waf", Provider: "provider.local", Placement: "local", SchemaVersion: 3,
		Value: cty.ObjectVal(map[string]cty.Value{
			"runtime": cty.ObjectVal(map[string]cty.Value{
				"listen": cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(8080), "https": cty.NullVal(cty.Number)}),
				"tls": cty.ObjectVal(map[string]cty.Value{
					"passphrase":  secret,
					"certificate": cty.StringVal("-----BEGIN CERTIFICATE-----"),
				}),
				"hostnames": cty.ListValEmpty(cty.String),
				"tags":      cty.NullVal(cty.Map(cty.String)),
				"ratio":     cty.MustParseNumberVal("0.1000000000000000055511151231257827"),
				"env": cty.MapVal(map[string]cty.Value{
					"TOKEN": cty.StringVal("t0k3n").Mark(protocol.SensitiveMark),
					"MODE":  cty.StringVal("block"),
				}),
				"sites": cty.ListVal([]cty.Value{
					cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "key": cty.StringVal("k1").Mark(protocol.SensitiveMark)}),
					cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("b"), "key": cty.StringVal("k2")}),
				}),
			}),
			"placement": cty.ObjectVal(map[string]cty.Value{
				"pid":   cty.NumberIntVal(4242),
				"creds": cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal("cred-user"), "token": cty.StringVal("cred-token-value")}).Mark(protocol.SensitiveMark),
			}),
		}),
		Private:             []byte{0, 1, 2, 255},
		Dependencies:        []string{"gateway.dc1"},
		CreateBeforeDestroy: true,
	})
	s.SetInstance(&Instance{
		Address: "gateway.dc1", Kind: "gateway", Provider: "provider.docker.dmz", Placement: "docker",
		Value: cty.ObjectVal(map[string]cty.Value{
			"runtime":   cty.EmptyObjectVal,
			"placement": cty.ObjectVal(map[string]cty.Value{"ports": cty.SetValEmpty(cty.Number)}),
		}),
	})
	s.Outputs["address"] = &Output{Value: cty.StringVal("127.0.0.1:8080")}
	s.Outputs["secret"] = &Output{Value: cty.StringVal("s3cret"), Sensitive: true}
	s.Outputs["marked"] = &Output{Value: cty.ListVal([]cty.Value{secret}), Sensitive: true}
	return s
}

func conformRoundTrip(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	want := conformanceState()
	if err := open().Write(ctx, want); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := open().Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if diff := diffStates(want, got); diff != "" {
		t.Fatalf("state changed in a write/read round trip: %s", diff)
	}
}

func conformSerialLineage(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	m := NewManager(open())
	first, err := m.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if first.Serial != 0 || len(first.Lineage) != 32 {
		t.Fatalf("fresh state has serial %d and lineage %q, want 0 and 32 hex digits", first.Serial, first.Lineage)
	}
	if s, _ := open().Read(ctx); s != nil {
		t.Fatalf("Load of a missing state wrote one (serial %d)", s.Serial)
	}
	for i := range 3 {
		m.SetInstance(conformInstance(fmt.Sprintf("waf.w%d", i)))
		if err := m.Persist(ctx); err != nil {
			t.Fatalf("Persist: %v", err)
		}
	}
	if err := m.Persist(ctx); err != nil { // nothing changed: no write
		t.Fatalf("Persist: %v", err)
	}
	got, err := NewManager(open()).Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Lineage != first.Lineage || got.Serial != 3 || len(got.Instances) != 3 {
		t.Fatalf("after 3 persists: lineage %q serial %d instances %d; want lineage %q serial 3 instances 3",
			got.Lineage, got.Serial, len(got.Instances), first.Lineage)
	}
}

func conformAtomicWrite(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	writer, reader := open(), open()
	s := conformanceState()
	const writes = 200
	done := make(chan struct{})
	readErr := make(chan error, 1)
	var reads atomic.Int64
	go func() {
		defer close(readErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := reader.Read(ctx)
			if err != nil {
				readErr <- fmt.Errorf("read %d during writes: %w", reads.Load(), err)
				return
			}
			if got != nil && len(got.Instances) != len(s.Instances) {
				readErr <- fmt.Errorf("read %d saw %d instances, want %d", reads.Load(), len(got.Instances), len(s.Instances))
				return
			}
			reads.Add(1)
		}
	}()
	for i := range writes {
		s.Serial = uint64(i + 1)
		if err := writer.Write(ctx, s); err != nil {
			close(done)
			t.Fatalf("write %d: %v", i, err)
		}
	}
	close(done)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	got, err := reader.Read(ctx)
	if err != nil || got == nil || got.Serial != writes {
		t.Fatalf("final read = (%v, %v), want serial %d", got, err, writes)
	}
}

func conformLockExclusion(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	type result struct {
		info   *LockInfo
		unlock Unlocker
		err    error
	}
	results := make(chan result, 2)
	var start sync.WaitGroup
	start.Add(1)
	for i := range 2 {
		b := open()
		info := NewLockInfo(fmt.Sprintf("apply-%d", i))
		go func() {
			start.Wait()
			tryCtx, cancel := context.WithTimeout(ctx, 0) // try once
			defer cancel()
			unlock, err := b.Lock(tryCtx, info)
			results <- result{info, unlock, err}
		}()
	}
	start.Done()
	a, b := <-results, <-results
	if a.err != nil {
		a, b = b, a
	}
	if a.err != nil || b.err == nil {
		t.Fatalf("two lockers racing: errors %v and %v, want exactly one winner", a.err, b.err)
	}
	t.Cleanup(func() { a.unlock() })
	var locked *LockedError
	if !errors.As(b.err, &locked) {
		t.Fatalf("loser got %T (%v), want *LockedError", b.err, b.err)
	}
	if locked.Holder == nil || locked.Holder.ID != a.info.ID || locked.Holder.Operation != a.info.Operation ||
		locked.Holder.PID != a.info.PID || locked.Holder.Who != a.info.Who {
		t.Fatalf("LockedError names holder %+v, want %+v", locked.Holder, a.info)
	}
	if err := a.unlock(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	// Once released, the lock can be taken again at once.
	tryCtx, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	unlock, err := open().Lock(tryCtx, NewLockInfo("plan"))
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
}

func conformLockWait(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	first := NewLockInfo("apply")
	unlockFirst, err := open().Lock(ctx, first)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	second := NewLockInfo("destroy")
	got := make(chan error, 1)
	var unlockSecond Unlocker
	go func() {
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var err error
		unlockSecond, err = open().Lock(waitCtx, second)
		got <- err
	}()
	if holder := conformProbeHolder(t, ctx, open); holder != first.ID {
		t.Fatalf("while the first holds the lock, a probe sees holder %q, want %q", holder, first.ID)
	}
	if err := unlockFirst(); err != nil {
		t.Fatalf("unlock first: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting locker did not get the lock after release: %v", err)
	}
	if holder := conformProbeHolder(t, ctx, open); holder != second.ID {
		t.Fatalf("after release a probe sees holder %q, want the waiting locker %q", holder, second.ID)
	}
	if err := unlockSecond(); err != nil {
		t.Fatalf("unlock second: %v", err)
	}
}

// conformProbeHolder tries the lock once and returns the id of the holder it was refused by.
func conformProbeHolder(t *testing.T, ctx context.Context, open OpenBackend) string {
	tryCtx, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	unlock, err := open().Lock(tryCtx, NewLockInfo("probe"))
	if err == nil {
		unlock()
		return ""
	}
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder == nil {
		t.Fatalf("probe: %v, want *LockedError with a holder", err)
	}
	return locked.Holder.ID
}

// writeCounter counts the writes that reach a backend.
type writeCounter struct {
	Backend
	writes *atomic.Int64
}

func (w writeCounter) Write(ctx context.Context, s *State) error {
	err := w.Backend.Write(ctx, s)
	if err == nil {
		w.writes.Add(1)
	}
	return err
}

// conformRacingApplies runs two applies at once, each locking the state, loading it and
// recording instances from parallel workers that persist after each one, as apply does.
func conformRacingApplies(t *testing.T, open OpenBackend) {
	ctx := conformContext(t)
	const applies, workers, perWorker = 2, 4, 5
	var writes atomic.Int64
	errs := make(chan error, applies)
	for a := range applies {
		m := NewManager(writeCounter{open(), &writes})
		go func() { errs <- conformApply(ctx, m, a, workers, perWorker) }()
	}
	for range applies {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	final, err := open().Read(ctx)
	if err != nil || final == nil {
		t.Fatalf("final read = (%v, %v)", final, err)
	}
	if final.Serial != uint64(writes.Load()) {
		t.Errorf("final serial %d, want %d (one per write)", final.Serial, writes.Load())
	}
	if want := applies * workers * perWorker; len(final.Instances) != want {
		t.Errorf("final state has %d instances, want %d: an apply lost another's work", len(final.Instances), want)
	}
}

func conformApply(ctx context.Context, m *Manager, apply, workers, perWorker int) error {
	unlock, err := m.Lock(ctx, "apply", 30*time.Second)
	if err != nil {
		return fmt.Errorf("apply %d: lock: %w", apply, err)
	}
	defer unlock()
	if _, err := m.Load(ctx); err != nil {
		return fmt.Errorf("apply %d: load: %w", apply, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				m.SetInstance(conformInstance(fmt.Sprintf("waf.a%d_w%d_i%d", apply, w, i)))
				if err := m.Persist(ctx); err != nil {
					errs <- fmt.Errorf("apply %d worker %d: persist: %w", apply, w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func conformInstance(addr string) *Instance {
	return &Instance{
		Address: addr, Kind: "waf", Provider: "provider.local", Placement: "local",
		Value: cty.ObjectVal(map[string]cty.Value{
			"runtime":   cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(addr)}),
			"placement": cty.ObjectVal(map[string]cty.Value{"pid": cty.NumberIntVal(1)}),
		}),
	}
}

// diffStates describes the first difference between two states, or returns "". Values
// are compared with RawEquals, so marks, types, nulls and empty collections must match.
func diffStates(want, got *State) string {
	if got == nil {
		return "got no state"
	}
	if want.Lineage != got.Lineage || want.Serial != got.Serial || want.FormatVersion != got.FormatVersion ||
		want.RampartVersion != got.RampartVersion {
		return fmt.Sprintf("header: got lineage %q serial %d format %d version %q, want %q %d %d %q",
			got.Lineage, got.Serial, got.FormatVersion, got.RampartVersion,
			want.Lineage, want.Serial, want.FormatVersion, want.RampartVersion)
	}
	if len(want.Instances) != len(got.Instances) {
		return fmt.Sprintf("got %d instances, want %d", len(got.Instances), len(want.Instances))
	}
	for i, w := range want.Instances {
		g := got.Instances[i]
		if w.Address != g.Address || w.Kind != g.Kind || w.Provider != g.Provider || w.Placement != g.Placement ||
			w.SchemaVersion != g.SchemaVersion || w.CreateBeforeDestroy != g.CreateBeforeDestroy ||
			string(w.Private) != string(g.Private) || fmt.Sprint(w.Dependencies) != fmt.Sprint(g.Dependencies) {
			return fmt.Sprintf("instance %d: got %+v, want %+v", i, *g, *w)
		}
		if !w.Value.RawEquals(g.Value) {
			return fmt.Sprintf("instance %s value:\n got %#v\nwant %#v", w.Address, g.Value, w.Value)
		}
	}
	if len(want.Outputs) != len(got.Outputs) {
		return fmt.Sprintf("got %d outputs, want %d", len(got.Outputs), len(want.Outputs))
	}
	for name, w := range want.Outputs {
		g, ok := got.Outputs[name]
		if !ok || g.Sensitive != w.Sensitive || !g.Value.RawEquals(w.Value) {
			return fmt.Sprintf("output %s: got %#v, want %#v", name, g, w)
		}
	}
	return ""
}
