package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// Labels rampart's Docker provider puts on its containers.
const labelLineage = "rampart.lineage"

// labelRun marks what the floor creates; its value is the run id.
const labelRun = "rampart.bench-docker"

// connect opens the engine the provider uses by default, or fails saying how to get one.
func connect(ctx context.Context, host string) (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", host, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine at %s: %w; start one (as root: apt-get install docker.io && dockerd &)", host, err)
	}
	return cli, nil
}

// lineageContainers lists the containers, running or not, of one rampart state.
func lineageContainers(ctx context.Context, cli *client.Client, lineage string) ([]container.Summary, error) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", labelLineage+"="+lineage))})
	if err != nil {
		return nil, fmt.Errorf("list containers of lineage %s: %w", lineage, err)
	}
	return list, nil
}

// checkRunning requires exactly n running containers in the lineage.
func checkRunning(ctx context.Context, cli *client.Client, lineage string, n int) error {
	list, err := lineageContainers(ctx, cli, lineage)
	if err != nil {
		return err
	}
	up := 0
	for _, c := range list {
		if c.State == "running" {
			up++
		}
	}
	if len(list) != n || up != n {
		return fmt.Errorf("after apply: %d containers of lineage %s, %d running; want %d running", len(list), lineage, up, n)
	}
	return nil
}

// checkGone requires that nothing of the lineage, and not the network, is left.
func checkGone(ctx context.Context, cli *client.Client, lineage, networkName string) error {
	list, err := lineageContainers(ctx, cli, lineage)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return fmt.Errorf("after destroy: %d containers of lineage %s are left, e.g. %s", len(list), lineage, strings.Join(list[0].Names, ","))
	}
	if _, err := cli.NetworkInspect(ctx, networkName, network.InspectOptions{}); err == nil {
		return fmt.Errorf("after destroy: network %s is left", networkName)
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspect network %s: %w", networkName, err)
	}
	return nil
}

// removeLeftovers force-removes what this run created and an interrupted or failed step
// left behind: containers whose name carries the run id and that are rampart's (its
// lineage label) or the floor's (labelRun), then networks named after the run. Nothing
// else on the shared engine is touched. It returns how many it removed, and the networks
// the engine refuses to remove although their containers are gone (moby/moby#43286).
func removeLeftovers(ctx context.Context, cli *client.Client, runID string) (removed int, stuck []string, err error) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", runID))})
	if err != nil {
		return 0, nil, fmt.Errorf("list leftover containers: %w", err)
	}
	for _, c := range list {
		ours := c.Labels[labelRun] == runID || (c.Labels[labelLineage] != "" && strings.Contains(strings.Join(c.Names, ","), runID))
		if !ours {
			continue
		}
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return removed, nil, fmt.Errorf("remove leftover container %s: %w", c.ID, err)
		}
		removed++
	}
	networks, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", runID))})
	if err != nil {
		return removed, nil, fmt.Errorf("list leftover networks: %w", err)
	}
	for _, n := range networks {
		if !strings.Contains(n.Name, runID) {
			continue
		}
		err := cli.NetworkRemove(ctx, n.ID)
		switch {
		case err == nil:
			removed++
		case activeEndpoints(err):
			stuck = append(stuck, n.Name)
		case !cerrdefs.IsNotFound(err):
			return removed, stuck, fmt.Errorf("remove leftover network %s: %w", n.Name, err)
		}
	}
	return removed, stuck, nil
}
