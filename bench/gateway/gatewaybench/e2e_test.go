package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
)

// TestHarnessEndToEnd runs the whole harness, briefly and with 50 connections in the
// capacity row, against the real rampart-gateway binary and the real Squid: every row of
// both systems must produce figures without errors, the cache rows must be answered from
// the cache, and every process started must be gone afterwards.
func TestHarnessEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rampart-gateway and runs both proxies; not in -short")
	}
	squid, certgen := requireSquid(t)
	dir := t.TempDir()
	gatewayBin := filepath.Join(dir, "rampart-gateway")
	build := exec.Command("go", "build", "-o", gatewayBin, "github.com/rampart-sec/rampart/cmd/rampart-gateway")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build rampart-gateway: %v\n%s", err, out)
	}
	workDir := openTempDir(t)
	const connections = 50
	r := runner{
		workDir: workDir, gatewayBin: gatewayBin, squidBin: squid, certgenBin: certgen,
		procs:    &benchproc.Set{DropEnv: "GATEWAY_", Grace: 10 * time.Second},
		window:   window{WarmUp: 300 * time.Millisecond, Length: time.Second},
		clients:  clientCounts{Download: 1, Small: 4, Cache: 2},
		capacity: connections,
	}
	t.Cleanup(r.procs.StopAll)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	ms, err := r.runAll(ctx, allSystems)
	if r.origin != nil {
		r.origin.close()
	}
	if err != nil {
		t.Fatal(err)
	}

	if len(ms) != 10 {
		t.Fatalf("got %d measurements, want 4 throughput rows and 1 capacity row per system", len(ms))
	}
	for _, m := range ms {
		if m.Capacity != nil {
			if m.Capacity.Connections != connections || m.Capacity.Footprint.FDs < 2*connections || m.Capacity.Footprint.PeakRSS <= 0 {
				t.Errorf("%s %s: %+v; want %d connections holding at least %d descriptors", m.System, m.Case, *m.Capacity, connections, 2*connections)
			}
			continue
		}
		if m.Load.Requests == 0 || m.Load.Bytes == 0 || m.Load.Errors != 0 {
			t.Errorf("%s %s: %+v; want requests, bytes and no errors", m.System, m.Case, m.Load)
		}
		if m.OriginFetches != 0 {
			t.Errorf("%s %s: %d origin fetches in the window; every answer should be a cache hit", m.System, m.Case, m.OriginFetches)
		}
	}
	if len(compare(ms)) != 5 {
		t.Errorf("compare = %+v, want the 5 rows paired", compare(ms))
	}

	// Every process started (proxies and squid -k parse) was stopped at the end of its row.
	if len(r.procs.Started()) < 4 {
		t.Errorf("started %d processes, want at least 4 (2 systems × throughput and capacity)", len(r.procs.Started()))
	}
	for _, p := range r.procs.Started() {
		if err := syscall.Kill(p.PID(), 0); err == nil {
			t.Errorf("%s (pid %d) still runs after the harness finished", p.Name(), p.PID())
		}
	}
}
