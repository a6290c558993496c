package state

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestLocal(t *testing.T) *Local {
	t.Helper()
	t.Setenv(KeyEnv, conformanceKey)
	return NewLocal(filepath.Join(t.TempDir(), "rampart.state"))
}

func TestLocalWriteKeepsBackupAndMode(t *testing.T) {
	l := newTestLocal(t)
	ctx := context.Background()
	s := conformanceState()
	for serial := uint64(1); serial <= 3; serial++ {
		s.Serial = serial
		if err := l.Write(ctx, s); err != nil {
			t.Fatalf("Write serial %d: %v", serial, err)
		}
	}
	backup, err := Decode(mustRead(t, l.Path()+".backup"), testKey(t))
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if backup.Serial != 2 {
		t.Errorf("backup has serial %d, want the previous write's 2", backup.Serial)
	}
	for _, p := range []string{l.Path(), l.Path() + ".backup"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(l.Path()))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLocalWriteWithoutKeyFails(t *testing.T) {
	l := newTestLocal(t)
	t.Setenv(KeyEnv, "")
	err := l.Write(context.Background(), conformanceState())
	if !errors.Is(err, ErrNoKey) || err.Error() != ErrNoKey.Error() {
		t.Fatalf("Write without key: %v", err)
	}
	if _, statErr := os.Stat(l.Path()); !os.IsNotExist(statErr) {
		t.Fatalf("a state file was written without a key")
	}
}

func TestLocalReadWithWrongKey(t *testing.T) {
	l := newTestLocal(t)
	if err := l.Write(context.Background(), conformanceState()); err != nil {
		t.Fatal(err)
	}
	t.Setenv(KeyEnv, strings.Repeat("cd", 32))
	_, err := l.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "read state "+l.Path()) || !strings.Contains(err.Error(), "is not the key this state was written with") {
		t.Fatalf("Read with the wrong key: %v", err)
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run true: %v", err)
	}
	return cmd.Process.Pid
}

func writeLock(t *testing.T, l *Local, holder *LockInfo) {
	t.Helper()
	data, _ := json.Marshal(holder)
	if err := os.WriteFile(l.Path()+".lock", data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLocalTakesOverStaleLock(t *testing.T) {
	l := newTestLocal(t)
	stale := NewLockInfo("apply")
	stale.PID = deadPID(t)
	writeLock(t, l, stale)

	m := NewManager(l)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	unlock, err := m.Lock(ctx, "plan", 0)
	if err != nil {
		t.Fatalf("Lock over a stale lock: %v", err)
	}
	if taken := l.TakenOverStaleLock(); taken == nil || taken.ID != stale.ID {
		t.Errorf("TakenOverStaleLock = %+v, want the stale holder %s", taken, stale.ID)
	}
	if w := m.Warnings(); len(w) != 1 || !strings.Contains(w[0], "removed a stale state lock left by apply") {
		t.Errorf("Warnings = %q", w)
	}
	holder, err := readLockFile(l.Path() + ".lock")
	if err != nil || holder.Operation != "plan" || holder.PID != os.Getpid() {
		t.Fatalf("lock file now holds %+v (%v), want this process's plan lock", holder, err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path() + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file still there after unlock")
	}
}

func TestLocalLockHeldElsewhereIsNotStale(t *testing.T) {
	tests := map[string]func(*LockInfo){
		"other host":     func(h *LockInfo) { h.Host = "elsewhere.example"; h.PID = 1 << 22 },
		"living process": func(h *LockInfo) { h.PID = os.Getpid() },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			l := newTestLocal(t)
			holder := NewLockInfo("apply")
			edit(holder)
			writeLock(t, l, holder)
			ctx, cancel := context.WithTimeout(context.Background(), 0)
			defer cancel()
			_, err := l.Lock(ctx, NewLockInfo("plan"))
			var locked *LockedError
			if !errors.As(err, &locked) || locked.Holder.ID != holder.ID {
				t.Fatalf("Lock = %v, want *LockedError naming %s", err, holder.ID)
			}
			if locked.Path != l.Path()+".lock" || locked.State != l.Path() {
				t.Errorf("LockedError path %q state %q", locked.Path, locked.State)
			}
		})
	}
}

func TestLocalUnlockLeavesSomeoneElsesLock(t *testing.T) {
	l := newTestLocal(t)
	unlock, err := l.Lock(context.Background(), NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	other := NewLockInfo("apply")
	writeLock(t, l, other) // e.g. the user removed ours and another run took it
	if err := unlock(); err == nil || !strings.Contains(err.Error(), "no longer ours") {
		t.Fatalf("unlock of a replaced lock: %v", err)
	}
	if holder, err := readLockFile(l.Path() + ".lock"); err != nil || holder.ID != other.ID {
		t.Fatalf("the other lock was touched: %+v %v", holder, err)
	}
}

func TestLockedErrorMessage(t *testing.T) {
	err := &LockedError{
		State: "rampart.state",
		Path:  "rampart.state.lock",
		Holder: &LockInfo{
			ID: "6f1c2a9be0d34e6b8f0a1b2c3d4e5f60", Operation: "apply", Who: "root@myhost", PID: 4242,
			Host: "myhost", Created: time.Date(2026, 11, 21, 23, 10, 5, 0, time.UTC),
		},
	}
	want := "state rampart.state is locked by apply (root@myhost, pid 4242, since 2026-11-21T23:10:05Z, lock id 6f1c2a9b…): " +
		"another rampart is running; wait for it, or pass -lock-timeout=60s to wait. " +
		"If no rampart runs there any more, remove rampart.state.lock"
	if got := err.Error(); got != want {
		t.Fatalf("message:\n got %s\nwant %s", got, want)
	}
}

func TestManagerPersistSkipsUnchangedAndKeepsSerialOnFailure(t *testing.T) {
	l := newTestLocal(t)
	ctx := context.Background()
	m := NewManager(l)
	if _, err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	if s, _ := l.Read(ctx); s != nil {
		t.Fatalf("Persist without changes wrote a state")
	}
	m.SetInstance(conformanceState().Instance("waf.shop"))
	t.Setenv(KeyEnv, "") // the instance holds secrets: the write must fail
	if err := m.Persist(ctx); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Persist without key = %v", err)
	}
	if got := m.Current().Serial; got != 0 {
		t.Fatalf("serial after a failed write = %d, want 0", got)
	}
	t.Setenv(KeyEnv, conformanceKey)
	if err := m.Persist(ctx); err != nil {
		t.Fatalf("Persist retry: %v", err)
	}
	if got := m.Current().Serial; got != 1 {
		t.Fatalf("serial after the retried write = %d, want 1", got)
	}
	// Current is a copy: changing it changes nothing in the manager.
	cur := m.Current()
	cur.Instances[0].Address = "waf.changed"
	if m.Current().Instance("waf.shop") == nil {
		t.Fatal("Current shares instances with the manager")
	}
}
