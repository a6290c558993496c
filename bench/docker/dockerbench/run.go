package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// options are the benchmark's settings (flags of main).
type options struct {
	binDir      string // rampart, rampart-provider-docker, rampart-waf
	workDir     string // working directories, logs, profiles
	dockerHost  string
	sizes       []int // N values
	parallelism int   // rampart -parallelism, and the floor's concurrency
	basePort    int   // instance i of every N publishes 127.0.0.1:basePort+i
	planRepeats int   // no-change plans per N, system and round; the median is reported
	rounds      int   // rounds of both systems per N; the median over them is reported
	profile     bool  // write a CPU profile of one more rampart plan at the largest N
	runID       string
	stopTimeout int // seconds; the provider's grace period between SIGTERM and SIGKILL
	healthWait  time.Duration
	apiTrace    bool      // count and time the Docker API calls of each operation (not a measured run)
	log         io.Writer // progress lines
}

// bench is one run: the engine, what is deployed, and what must be cleaned up.
type bench struct {
	opts     options
	cli      *client.Client
	started  time.Time
	deployed []*rampartCLI // applied and not yet destroyed, in order

	tmpl *containerTemplate // rampart's container, which the floor copies; read once

	trace     *apiTrace      // with -api-trace: the proxy both systems go through
	floorCli  *client.Client // the floor's client: the engine, or the proxy
	traceHost string         // the provider's host: "" (default) or the proxy
}

// traceReport prints the Docker API calls made since the last report (-api-trace).
func (b *bench) traceReport(title string) {
	if b.trace != nil {
		printCalls(b.opts.log, title, b.trace.take())
	}
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.opts.log, "bench-docker: "+format+"\n", args...)
}

// runBench measures every N and returns the measurements. Whatever happens, it leaves
// nothing of this run on the engine.
func runBench(ctx context.Context, opts options) (ms []measurement, err error) {
	cli, err := connect(ctx, opts.dockerHost)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	b := &bench{opts: opts, cli: cli, floorCli: cli, started: time.Now()}
	if opts.apiTrace {
		if b.trace, err = startAPITrace(filepath.Join(opts.workDir, "docker-api.sock"), opts.dockerHost); err != nil {
			return nil, err
		}
		defer b.trace.close()
		b.traceHost = b.trace.host()
		if b.floorCli, err = connect(ctx, b.traceHost); err != nil {
			return nil, err
		}
		defer b.floorCli.Close()
	}
	var imageRef string
	defer func() {
		err = errors.Join(err, b.cleanup(), b.removeImageIfOurs(imageRef))
	}()

	imageRef, err = b.deployKeeper(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range opts.sizes {
		got, err := b.measure(ctx, n)
		if err != nil {
			return ms, fmt.Errorf("at %d containers: %w", n, err)
		}
		ms = append(ms, got...)
	}
	return ms, nil
}

// deployKeeper applies one WAF in a deployment of its own, kept until the end. Its first
// apply builds rampart's WAF image (timed apart, not a measurement); the running
// container keeps that image in use, so neither the provider's pruning after each
// destroy nor another user's prune takes it away between the measurements.
func (b *bench) deployKeeper(ctx context.Context) (string, error) {
	keeper := deployment{
		Name:       "dockerbench_" + b.opts.runID + "_keeper",
		N:          1,
		BasePort:   b.opts.basePort + slices.Max(b.opts.sizes),
		Network:    "dockerbench-" + b.opts.runID + "-keeper",
		DockerHost: b.traceHost,
	}
	if err := checkPortsFree(keeper.BasePort, 1); err != nil {
		return "", err
	}
	c, err := b.newDeployment("keeper", keeper)
	if err != nil {
		return "", err
	}
	if _, err := c.must(ctx, "keeper-init", "init"); err != nil {
		return "", err
	}
	b.deployed = append(b.deployed, c)
	took, err := c.must(ctx, "keeper-apply", "apply", "-auto-approve")
	if err != nil {
		return "", err
	}
	lineage, err := c.lineage()
	if err != nil {
		return "", err
	}
	list, err := lineageContainers(ctx, b.cli, lineage)
	if err != nil {
		return "", err
	}
	if len(list) != 1 {
		return "", fmt.Errorf("keeper: %d containers after apply, want 1", len(list))
	}
	b.logf("first apply (builds or finds the image %s): %.2f s", list[0].Image, took.Seconds())
	return list[0].Image, nil
}

// newDeployment writes the configuration of d into its own working directory.
func (b *bench) newDeployment(name string, d deployment) (*rampartCLI, error) {
	dir := filepath.Join(b.opts.workDir, name)
	logDir := filepath.Join(b.opts.workDir, "logs")
	for _, p := range []string{dir, logDir} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", p, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(d.hcl()), 0o644); err != nil {
		return nil, fmt.Errorf("write configuration: %w", err)
	}
	return &rampartCLI{binDir: b.opts.binDir, dir: dir, logDir: logDir}, nil
}

// timings are one system's apply, no-change plan (the median of the repeats) and
// destroy of n containers in one round.
type timings struct{ apply, plan, destroy time.Duration }

// measure runs both systems at n containers, round after round, and returns per
// operation the median over the rounds of each system. The systems take turns going
// first, so that neither always runs on an engine the other just loaded.
func (b *bench) measure(ctx context.Context, n int) ([]measurement, error) {
	var rampart, floor []timings
	for round := range b.opts.rounds {
		rampartFirst := round%2 == 0 || b.tmpl == nil // the floor copies rampart's containers
		for _, first := range []bool{true, false} {
			var err error
			if first == rampartFirst {
				var t timings
				t, err = b.measureRampart(ctx, n, round)
				rampart = append(rampart, t)
			} else {
				var t timings
				t, err = b.measureFloor(ctx, n, round)
				floor = append(floor, t)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	pick := func(ts []timings, op func(timings) time.Duration) time.Duration {
		ds := make([]time.Duration, len(ts))
		for i, t := range ts {
			ds[i] = op(t)
		}
		return median(ds)
	}
	apply := func(t timings) time.Duration { return t.apply }
	plan := func(t timings) time.Duration { return t.plan }
	destroy := func(t timings) time.Duration { return t.destroy }
	return []measurement{
		{N: n, Op: opApply, Rampart: pick(rampart, apply), Floor: pick(floor, apply)},
		{N: n, Op: opPlan, Rampart: pick(rampart, plan), Floor: pick(floor, plan)},
		{N: n, Op: opDestroy, Rampart: pick(rampart, destroy), Floor: pick(floor, destroy)},
	}, nil
}

// measureRampart times rampart's apply, no-change plans and destroy of n containers.
// The first time, it also reads the floor's container template from what it deployed.
func (b *bench) measureRampart(ctx context.Context, n, round int) (timings, error) {
	name := fmt.Sprintf("n%d-r%d", n, round+1)
	d := deployment{
		Name:       fmt.Sprintf("dockerbench_%s_%d_r%d", b.opts.runID, n, round+1),
		N:          n,
		BasePort:   b.opts.basePort,
		Network:    fmt.Sprintf("dockerbench-%s-n%d-r%d", b.opts.runID, n, round+1),
		DockerHost: b.traceHost,
	}
	if err := checkPortsFree(d.BasePort, n); err != nil {
		return timings{}, err
	}
	c, err := b.newDeployment(name, d)
	if err != nil {
		return timings{}, err
	}
	if _, err := c.must(ctx, name+"-init", "init"); err != nil {
		return timings{}, err
	}
	parallelism := "-parallelism=" + strconv.Itoa(b.opts.parallelism)
	b.traceReport("before N=" + strconv.Itoa(n))

	var t timings
	b.deployed = append(b.deployed, c)
	if t.apply, err = c.must(ctx, name+"-apply", "apply", "-auto-approve", parallelism); err != nil {
		return timings{}, err
	}
	b.logf("N=%d round %d rampart apply: %.2f s", n, round+1, t.apply.Seconds())
	b.traceReport(fmt.Sprintf("N=%d rampart apply", n))
	lineage, err := c.lineage()
	if err != nil {
		return timings{}, err
	}
	if err := checkRunning(ctx, b.cli, lineage, n); err != nil {
		return timings{}, err
	}
	if t.plan, err = b.rampartPlans(ctx, c, name); err != nil {
		return timings{}, err
	}
	b.logf("N=%d round %d rampart no-change plan: %.3f s (median of %d)", n, round+1, t.plan.Seconds(), b.opts.planRepeats)
	b.traceReport(fmt.Sprintf("N=%d rampart no-change plan ×%d", n, b.opts.planRepeats))
	if b.opts.profile && n == slices.Max(b.opts.sizes) && round == 0 {
		if err := b.profilePlan(ctx, c, name); err != nil {
			return timings{}, err
		}
	}
	if b.tmpl == nil {
		list, err := lineageContainers(ctx, b.cli, lineage)
		if err != nil {
			return timings{}, err
		}
		tmpl, err := captureTemplate(ctx, b.cli, list[0].ID)
		if err != nil {
			return timings{}, err
		}
		b.tmpl = &tmpl
	}
	if t.destroy, err = c.must(ctx, name+"-destroy", "destroy", "-auto-approve", parallelism); err != nil {
		return timings{}, err
	}
	b.deployed = slices.DeleteFunc(b.deployed, func(x *rampartCLI) bool { return x == c })
	b.logf("N=%d round %d rampart destroy: %.2f s", n, round+1, t.destroy.Seconds())
	b.traceReport(fmt.Sprintf("N=%d rampart destroy", n))
	if err := checkGone(ctx, b.cli, lineage, d.Network); err != nil {
		return timings{}, err
	}
	return t, nil
}

// measureFloor times the floor's apply, no-change plans and destroy of n containers,
// made like rampart's (b.tmpl).
func (b *bench) measureFloor(ctx context.Context, n, round int) (timings, error) {
	if err := checkPortsFree(b.opts.basePort, n); err != nil {
		return timings{}, err
	}
	f := &floor{
		cli: b.floorCli, tmpl: *b.tmpl, parallelism: b.opts.parallelism, stopTimeout: b.opts.stopTimeout,
		namePrefix: fmt.Sprintf("dockerbench-%s-floor-n%d-r%d", b.opts.runID, n, round+1),
		network:    fmt.Sprintf("dockerbench-%s-floor-n%d-r%d", b.opts.runID, n, round+1),
		labels:     map[string]string{labelRun: b.opts.runID},
		basePort:   b.opts.basePort, healthWait: b.opts.healthWait, log: b.logf,
	}
	var t timings
	var err error
	if t.apply, err = f.apply(ctx, n); err != nil {
		return timings{}, err
	}
	b.logf("N=%d round %d docker-api apply: %.2f s", n, round+1, t.apply.Seconds())
	b.traceReport(fmt.Sprintf("N=%d docker-api apply", n))
	var plans []time.Duration
	for range b.opts.planRepeats {
		took, err := f.plan(ctx, n)
		if err != nil {
			return timings{}, err
		}
		plans = append(plans, took)
	}
	t.plan = median(plans)
	b.traceReport(fmt.Sprintf("N=%d docker-api plan ×%d", n, b.opts.planRepeats))
	if t.destroy, err = f.destroy(ctx); err != nil {
		return timings{}, err
	}
	b.logf("N=%d round %d docker-api destroy: %.2f s", n, round+1, t.destroy.Seconds())
	b.traceReport(fmt.Sprintf("N=%d docker-api destroy", n))
	return t, nil
}

// rampartPlans runs the no-change plan planRepeats times; each must exit 0 (no changes:
// anything else right after an apply is phantom drift) and the median is returned.
func (b *bench) rampartPlans(ctx context.Context, c *rampartCLI, name string) (time.Duration, error) {
	var took []time.Duration
	for i := range b.opts.planRepeats {
		r, err := c.run(ctx, fmt.Sprintf("%s-plan-%d", name, i+1), nil, "plan", "-detailed-exitcode")
		if err != nil {
			return 0, err
		}
		if r.Code != 0 {
			return 0, fmt.Errorf("no-change plan right after apply exited %d, want 0 (2 means rampart sees changes):\n%s\n(full output in %s)",
				r.Code, tail(r.Log, 30), r.Log)
		}
		took = append(took, r.Elapsed)
	}
	return median(took), nil
}

// profilePlan runs one more plan with RAMPART_CPU_PROFILE, for `go tool pprof`.
func (b *bench) profilePlan(ctx context.Context, c *rampartCLI, name string) error {
	path := filepath.Join(b.opts.workDir, name+"-plan.pprof")
	r, err := c.run(ctx, name+"-plan-profiled", []string{"RAMPART_CPU_PROFILE=" + path}, "plan", "-detailed-exitcode")
	if err != nil {
		return err
	}
	if r.Code != 0 {
		return fmt.Errorf("profiled plan exited %d; see %s", r.Code, r.Log)
	}
	b.logf("CPU profile of the rampart CLI during a no-change plan: %s (go tool pprof -top %s %s)",
		path, filepath.Join(b.opts.binDir, "rampart"), path)
	return nil
}

// cleanup destroys, through rampart, what is still deployed (the measured deployment
// when a step failed, then the keeper), then force-removes anything of this run left.
// It runs even after an interrupt, with a context of its own.
func (b *bench) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var errs []error
	for i := len(b.deployed) - 1; i >= 0; i-- {
		c := b.deployed[i]
		if _, err := c.must(ctx, filepath.Base(c.dir)+"-cleanup-destroy", "destroy", "-auto-approve"); err != nil {
			errs = append(errs, fmt.Errorf("cleanup: %w", err))
		}
	}
	b.deployed = nil
	removed, stuck, err := removeLeftovers(ctx, b.cli, b.opts.runID)
	for _, name := range stuck {
		b.logf("WARNING: network %s has no containers but Docker still counts endpoints on it (moby/moby#43286); "+
			"it stays until dockerd restarts, then docker network rm %s", name, name)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("cleanup: %w", err))
	}
	if removed > 0 {
		b.logf("cleanup: force-removed %d leftover containers and networks of run %s", removed, b.opts.runID)
	}
	return errors.Join(errs...)
}

// removeImageIfOurs removes rampart's WAF image, after cleanup destroyed the keeper, when
// this run created it and nothing uses it any more. The provider prunes it itself on destroy;
// this covers a run that failed before. An image older than the run is someone else's.
func (b *bench) removeImageIfOurs(ref string) error {
	if ref == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	info, err := b.cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect image %s: %w", ref, err)
	}
	created, err := time.Parse(time.RFC3339Nano, info.Created)
	if err != nil || created.Before(b.started) {
		return nil
	}
	_, err = b.cli.ImageRemove(ctx, ref, image.RemoveOptions{})
	if err != nil && !cerrdefs.IsConflict(err) && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove image %s: %w", ref, err)
	}
	return nil
}

// checkPortsFree fails when something listens on one of the n loopback ports from base:
// a container of this run could not publish it.
func checkPortsFree(base, n int) error {
	for port := base; port < base+n; port++ {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("port 127.0.0.1:%d is busy (ports %d-%d are needed): stop what listens there or choose others with -base-port: %w",
				port, base, base+n-1, err)
		}
		ln.Close()
	}
	return nil
}

// median of a list: its middle value, the upper of the two middle ones for an even
// count (both systems are reported the same way); 0 for an empty list.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}
