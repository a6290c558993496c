package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/internal/freeport"
)

// These tests run the benchmark for real, small: the rampart CLI with the docker
// provider against the system's Docker engine, then the floor. They check that a run
// measures every operation and that it leaves nothing behind, also when interrupted.

const defaultDockerHost = "unix:///var/run/docker.sock"

// needDocker connects to the engine, or fails saying how to get one.
func needDocker(t *testing.T) *client.Client {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1: skipping the tests that need a Docker engine")
	}
	cli, err := connect(context.Background(), defaultDockerHost)
	if err != nil {
		t.Fatalf("%v\n(or set RAMPART_SKIP_DOCKER=1 to skip this test)", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// buildBinaries builds rampart, the docker provider and rampart-waf once per test binary.
func buildBinaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "dockerbench-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-trimpath", "-o", binDir+"/",
			"github.com/rampart-sec/rampart/cmd/rampart",
			"github.com/rampart-sec/rampart/cmd/rampart-provider-docker",
			"github.com/rampart-sec/rampart/cmd/rampart-waf")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// portBlock finds n+1 consecutive free loopback ports below the ephemeral range.
func portBlock(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		base, err := freeport.Find()
		if err == nil && checkPortsFree(base, n+1) == nil {
			return base
		}
	}
	t.Fatalf("no %d consecutive free loopback ports found", n+1)
	return 0
}

// logWatch passes the driver's progress to t.Log and calls onLine for each line.
type logWatch struct {
	t      *testing.T
	onLine func(string)
}

func (w logWatch) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	w.t.Log(line)
	if w.onLine != nil {
		w.onLine(line)
	}
	return len(p), nil
}

func testOptions(t *testing.T, sizes ...int) options {
	return options{
		binDir: buildBinaries(t), workDir: t.TempDir(), dockerHost: defaultDockerHost,
		sizes: sizes, parallelism: 2, basePort: portBlock(t, max(sizes[0], 1)), planRepeats: 1, rounds: 1,
		runID: newRunID(), stopTimeout: 10, healthWait: 30 * time.Second, log: logWatch{t: t},
	}
}

// leftovers lists the containers and networks whose name carries the run id.
func leftovers(t *testing.T, cli *client.Client, runID string) []string {
	t.Helper()
	ctx := context.Background()
	var names []string
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", runID))})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		names = append(names, "container "+strings.Join(c.Names, ","))
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", runID))})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		names = append(names, "network "+n.Name)
	}
	return names
}

// TestBenchEndToEnd runs the whole benchmark at N=2 in two rounds: rampart apply, a
// no-change plan that must exit 0 and destroy through the CLI, and the floor, rampart
// first in the first round and the floor first in the second. It checks that every
// operation was measured for both systems and that nothing of the run is left.
func TestBenchEndToEnd(t *testing.T) {
	cli := needDocker(t)
	opts := testOptions(t, 2)
	opts.rounds = 2
	t.Cleanup(func() { _, _, _ = removeLeftovers(context.Background(), cli, opts.runID) })
	var applies []string // "round 1 rampart", ... in the order they ran
	opts.log = logWatch{t: t, onLine: func(line string) {
		if _, what, ok := strings.Cut(line, "N=2 "); ok && strings.HasSuffix(strings.Fields(what)[3], "apply:") {
			applies = append(applies, strings.Join(strings.Fields(what)[:3], " "))
		}
	}}

	ms, err := runBench(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, m := range ms {
		ops = append(ops, m.Op)
		if m.N != 2 || m.Rampart <= 0 || m.Floor <= 0 {
			t.Errorf("measurement %+v: want N=2 and both systems timed", m)
		}
	}
	if strings.Join(ops, ",") != "apply,plan,destroy" {
		t.Errorf("operations %v, want apply, plan, destroy", ops)
	}
	if got, want := strings.Join(applies, ", "), "round 1 rampart, round 1 docker-api, round 2 docker-api, round 2 rampart"; got != want {
		t.Errorf("applies ran in the order %q, want %q", got, want)
	}
	if left := leftovers(t, cli, opts.runID); len(left) > 0 {
		t.Errorf("the run left %v on the engine", left)
	}
	var b strings.Builder
	printTable(&b, ms)
	t.Log("\n" + b.String())
}

// TestBenchInterruptedLeavesNothing interrupts a run right after rampart's apply of the
// measured deployment: the run ends with the interruption, and its containers (the
// measured ones and the keeper) and networks are gone.
func TestBenchInterruptedLeavesNothing(t *testing.T) {
	cli := needDocker(t)
	opts := testOptions(t, 1)
	t.Cleanup(func() { _, _, _ = removeLeftovers(context.Background(), cli, opts.runID) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sawRunning := false
	opts.log = logWatch{t: t, onLine: func(line string) {
		if strings.Contains(line, "N=1 round 1 rampart apply:") {
			// Both deployments run now: the keeper and the measured one.
			sawRunning = len(leftovers(t, cli, opts.runID)) >= 2
			cancel()
		}
	}}

	_, err := runBench(ctx, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run ended with %v, want the interruption (context.Canceled)", err)
	}
	if !sawRunning {
		t.Error("the interruption did not happen while the containers ran")
	}
	if left := leftovers(t, cli, opts.runID); len(left) > 0 {
		t.Errorf("the interrupted run left %v on the engine", left)
	}
}
