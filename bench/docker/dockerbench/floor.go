package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// floor does the work of rampart's apply, no-change plan and destroy with nothing but
// Docker API calls through the official client: the fastest any tool driving this engine
// could be, against which rampart's overhead is measured.
//
//   - apply: create the network, then per container (parallelism at a time) create,
//     copy the configuration in, start, inspect for its address and wait until the
//     runtime answers /healthz: a container that serves, as rampart's apply leaves it.
//   - plan: list the containers by label and inspect every one (parallelism at a time).
//   - destroy: stop (SIGTERM, same grace period as the provider) and remove each with its
//     volumes, then remove the network.
type floor struct {
	cli         *client.Client
	tmpl        containerTemplate
	parallelism int
	stopTimeout int               // seconds, as the provider's
	namePrefix  string            // containers are <namePrefix>-0000 ...
	network     string            // created by apply, removed by destroy
	labels      map[string]string // on everything the floor creates; the list filter of plan
	basePort    int
	healthWait  time.Duration // bound on the wait for one runtime's /healthz
	log         func(format string, args ...any)

	ids []string // the containers apply created, by instance
}

// healthPoll is the interval between /healthz attempts: the floor polls faster than the
// provider does, so that the floor stays a floor.
const healthPoll = 10 * time.Millisecond

func (f *floor) apply(ctx context.Context, n int) (time.Duration, error) {
	dir, archive, err := f.tmpl.configArchive()
	if err != nil {
		return 0, err
	}
	f.ids = make([]string, n)
	start := time.Now()
	if _, err := f.cli.NetworkCreate(ctx, f.network, network.CreateOptions{Driver: "bridge", Labels: f.labels}); err != nil {
		return 0, fmt.Errorf("floor: create network %s: %w", f.network, err)
	}
	err = forEach(ctx, n, f.parallelism, func(ctx context.Context, i int) error {
		config, host, networking := f.tmpl.floorSpec(f.basePort+i, f.network, f.labels)
		name := fmt.Sprintf("%s-%04d", f.namePrefix, i)
		created, err := f.cli.ContainerCreate(ctx, config, host, networking, nil, name)
		if err != nil {
			return fmt.Errorf("floor: create %s: %w", name, err)
		}
		f.ids[i] = created.ID
		if err := f.cli.CopyToContainer(ctx, created.ID, dir, bytes.NewReader(archive), container.CopyToContainerOptions{}); err != nil {
			return fmt.Errorf("floor: copy the configuration into %s: %w", name, err)
		}
		if err := f.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
			return fmt.Errorf("floor: start %s: %w", name, err)
		}
		info, err := f.cli.ContainerInspect(ctx, created.ID)
		if err != nil {
			return fmt.Errorf("floor: inspect %s: %w", name, err)
		}
		ep := info.NetworkSettings.Networks[f.network]
		if ep == nil || ep.IPAddress == "" {
			return fmt.Errorf("floor: %s has no address on %s", name, f.network)
		}
		return waitHealthy(ctx, "http://"+net.JoinHostPort(ep.IPAddress, f.tmpl.AdminPort)+"/healthz", f.healthWait)
	})
	return time.Since(start), err
}

// plan lists the floor's containers by label and inspects each; all n must run.
func (f *floor) plan(ctx context.Context, n int) (time.Duration, error) {
	start := time.Now()
	args := filters.NewArgs()
	for k, v := range f.labels {
		args.Add("label", k+"="+v)
	}
	list, err := f.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return 0, fmt.Errorf("floor: list containers: %w", err)
	}
	running := make([]bool, len(list))
	err = forEach(ctx, len(list), f.parallelism, func(ctx context.Context, i int) error {
		info, err := f.cli.ContainerInspect(ctx, list[i].ID)
		if err != nil {
			return fmt.Errorf("floor: inspect %s: %w", list[i].ID, err)
		}
		running[i] = info.State != nil && info.State.Running
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	up := 0
	for _, r := range running {
		if r {
			up++
		}
	}
	if len(list) != n || up != n {
		return 0, fmt.Errorf("floor: %d containers listed, %d running; want %d running", len(list), up, n)
	}
	return elapsed, nil
}

// destroy stops and removes what apply created, then the network.
func (f *floor) destroy(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	err := forEach(ctx, len(f.ids), f.parallelism, func(ctx context.Context, i int) error {
		id := f.ids[i]
		if id == "" {
			return nil
		}
		timeout := f.stopTimeout
		if err := f.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
			return fmt.Errorf("floor: stop %s: %w", id, err)
		}
		if err := f.cli.ContainerRemove(ctx, id, container.RemoveOptions{RemoveVolumes: true}); err != nil {
			return fmt.Errorf("floor: remove %s: %w", id, err)
		}
		f.ids[i] = ""
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = f.cli.NetworkRemove(ctx, f.network)
	elapsed := time.Since(start)
	if err != nil && !activeEndpoints(err) {
		return 0, fmt.Errorf("floor: remove network %s: %w", f.network, err)
	}
	if err != nil {
		// Not part of the measurement: the engine's bookkeeping, not the work.
		if err := removeNetworkEventually(ctx, f.cli, f.network, f.log); err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

// activeEndpoints says whether a network removal failed because the engine still counts
// endpoints on it.
func activeEndpoints(err error) bool {
	return err != nil && strings.Contains(err.Error(), "has active endpoints")
}

// removeNetworkEventually retries the removal of a network whose containers are all gone
// for a few seconds: Docker 20.10 may still count their endpoints for a moment. When the
// count never drops (moby/moby#43286: only a dockerd restart clears it), the empty
// network is reported and left; the benchmark goes on.
func removeNetworkEventually(ctx context.Context, cli *client.Client, name string, log func(string, ...any)) error {
	deadline := time.Now().Add(networkRetryFor)
	for {
		err := cli.NetworkRemove(ctx, name)
		switch {
		case err == nil:
			return nil
		case !activeEndpoints(err):
			return fmt.Errorf("remove network %s: %w", name, err)
		case time.Now().After(deadline):
			log("WARNING: network %s has no containers but Docker still counts endpoints on it (moby/moby#43286); "+
				"it stays until dockerd restarts, then docker network rm %s", name, name)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("remove network %s: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// networkRetryFor bounds removeNetworkEventually.
const networkRetryFor = 10 * time.Second

// healthClient asks /healthz without keeping connections open: an idle keep-alive
// connection to a runtime's admin API would hold up its graceful shutdown at destroy,
// which the provider (a process that has exited by then) does not cause.
var healthClient = &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// waitHealthy polls url until it answers 200, bounded by timeout.
func waitHealthy(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("floor: %s: %w", url, err)
		}
		resp, err := healthClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("floor: %s not healthy within %s: %v", url, timeout, last)
		case <-time.After(healthPoll):
		}
	}
}
