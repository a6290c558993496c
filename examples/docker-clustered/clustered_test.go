package dockerclustered_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/providers/docker/e2etest"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/dockertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	e2etest.RemoveBinaries()
	os.Exit(code)
}

// TestDockerClustered applies the example for real through the CLI. The WAF container has
// no Docker socket: it discovers the application containers only through the TCP endpoint
// of "the applications' engine" (the system engine behind a forwarder on the WAF network's
// gateway address) and proxies to the ports they publish on that address, as it would
// across hosts. Both apps answer through it; `rampart status` shows them UP at their
// published addresses; an app that stops leaves the pool (an event read over TCP); a
// second plan has no changes; destroy leaves nothing of the run behind.
func TestDockerClustered(t *testing.T) {
	cli := e2etest.Docker(t)
	engine := dockertest.Connect(t)
	ctx := context.Background()

	appImage := "rampart-example/clustered-app-" + engine.RunID
	engine.BuildBackend(t, appImage+":1", "docker-clustered")

	// The network the WAF joins; its gateway, an address of this host, stands for the
	// applications' host.
	netName := "rampart_clustered_" + engine.RunID
	gateway := createNetwork(t, cli, netName, engine.RunID)
	apiPort := freeport.Port(t)
	forwarder := startForwarder(t, net.JoinHostPort(gateway, fmt.Sprint(apiPort)), "/var/run/docker.sock")
	appsEngine := fmt.Sprintf("tcp://%s:%d", gateway, apiPort)

	// The applications publish their port on that address only, on their own network.
	appsNet := "rampart_clustered_apps_" + engine.RunID
	createNetwork(t, cli, appsNet, engine.RunID)
	prefix := "clustered-app-" + engine.RunID
	published := map[string]string{} // app name → host:port the WAF should use
	for i := 1; i <= 2; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		published[name] = runApp(t, cli, engine.RunID, name, appImage+":1", appsNet, gateway)
	}

	httpPort := freeport.Port(t)
	c := e2etest.NewCLI(t, ".", fmt.Sprintf("http_port = %d\nnetwork_name = %q\napps_engine = %q\napp_image = %q\napp_name_contains = %q\n",
		httpPort, netName, appsEngine, appImage, prefix))
	var lineage string
	t.Cleanup(func() {
		c.Run("destroy", "-auto-approve")
		e2etest.RemoveLineage(t, cli, lineage)
	})

	c.Must("init")
	applied := c.Must("apply", "-auto-approve")
	if !strings.Contains(applied, "1 added") {
		t.Fatalf("apply output:\n%s", applied)
	}
	lineage = c.Lineage("rampart.state")
	placed, _ := c.Placement("waf.shop")
	wafInfo, err := cli.ContainerInspect(ctx, placed.ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range wafInfo.Mounts {
		if strings.HasSuffix(m.Destination, "docker.sock") {
			t.Fatalf("the WAF container mounts %s: it must discover over TCP only", m.Destination)
		}
	}

	wafURL := fmt.Sprintf("http://127.0.0.1:%d/", httpPort)
	seen := waitForApps(t, wafURL, prefix, 2)
	t.Logf("the WAF balances over %v", seen)
	if forwarder.Accepted() == 0 {
		t.Fatalf("the WAF serves the apps but never connected to %s", appsEngine)
	}

	// The WAF's own view: both members UP at the addresses published on the
	// applications' host, i.e. found through the TCP endpoint as a remote engine.
	status := waitForStatus(t, c, func(out string) bool {
		for _, addr := range published {
			if !memberUp(addr).MatchString(out) {
				return false
			}
		}
		return regexp.MustCompile(`(?m)^  members UP:\s+2 of 2$`).MatchString(out)
	})
	t.Logf("rampart status:\n%s", status)
	if !strings.Contains(status, strings.TrimSuffix(wafURL, "/")) {
		t.Errorf("status does not give the WAF's published address %s:\n%s", wafURL, status)
	}

	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan right after apply exited %d, want 0:\n%s", code, out)
	}

	// An app stops on the applications' engine: the event reaches the WAF over TCP and
	// the member leaves the pool; only the other app answers from then on.
	gone := prefix + "-2"
	stopTimeout := 5
	if err := cli.ContainerStop(ctx, gone, container.StopOptions{Timeout: &stopTimeout}); err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, func(out string) bool {
		return !strings.Contains(out, published[gone]) && regexp.MustCompile(`(?m)^  members UP:\s+1 of 1$`).MatchString(out)
	})
	for range 10 {
		if body := get(t, wafURL); body != prefix+"-1" {
			t.Fatalf("after %s stopped the WAF answered %q, want only %s-1", gone, body, prefix)
		}
	}

	c.Must("destroy", "-auto-approve")
	if left := e2etest.Containers(t, cli, lineage); len(left) > 0 {
		t.Errorf("destroy left %d container(s) of this state", len(left))
	}
	if e2etest.ImageLeftBehind(t, cli, placed.ImageRef) {
		t.Errorf("destroy left image %s behind, unused", placed.ImageRef)
	}
	if _, err := http.Get(wafURL); err == nil {
		t.Errorf("something still answers on %s after destroy", wafURL)
	}
}

// createNetwork creates a bridge network on a random 10.212.x.0/24 subnet, labelled with
// the run id and removed when the test ends, and returns its gateway address.
func createNetwork(t *testing.T, cli *client.Client, name, runID string) string {
	t.Helper()
	ctx := context.Background()
	for attempt := 0; attempt < 5; attempt++ {
		third := rand.IntN(250) + 1
		subnet, gateway := fmt.Sprintf("10.212.%d.0/24", third), fmt.Sprintf("10.212.%d.1", third)
		_, err := cli.NetworkCreate(ctx, name, network.CreateOptions{
			Driver: "bridge",
			Labels: map[string]string{dockertest.LabelKey: runID},
			IPAM:   &network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet, Gateway: gateway}}},
		})
		if err != nil && strings.Contains(err.Error(), "overlap") {
			continue // another test holds that subnet: draw again
		}
		if err != nil {
			t.Fatalf("create network %s: %v", name, err)
		}
		t.Cleanup(func() { _ = cli.NetworkRemove(context.Background(), name) })
		return gateway
	}
	t.Fatalf("create network %s: no free 10.212.x.0/24 subnet after 5 draws", name)
	return ""
}

// runApp starts an application container on network netName, its port 8080 published on
// hostIP with a port the engine picks, and returns hostIP:port. It is removed when the
// test ends.
func runApp(t *testing.T, cli *client.Client, runID, name, image, netName, hostIP string) string {
	t.Helper()
	ctx := context.Background()
	port := nat.Port(fmt.Sprintf("%d/tcp", dockertest.BackendPort))
	created, err := cli.ContainerCreate(ctx,
		&container.Config{Image: image, Hostname: name, Labels: map[string]string{dockertest.LabelKey: runID},
			ExposedPorts: nat.PortSet{port: {}}},
		&container.HostConfig{NetworkMode: container.NetworkMode(netName),
			PortBindings: nat.PortMap{port: {{HostIP: hostIP}}}},
		nil, nil, name)
	if err != nil {
		t.Fatalf("create app container %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cli.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	})
	if err := cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start app container %s: %v", name, err)
	}
	info, err := cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	bindings := info.NetworkSettings.Ports[port]
	if len(bindings) == 0 || bindings[0].HostPort == "" {
		t.Fatalf("app container %s publishes no port", name)
	}
	return net.JoinHostPort(hostIP, bindings[0].HostPort)
}

// memberUp matches the pool member at addr UP in `rampart status`.
func memberUp(addr string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^  pool apps: ` + regexp.QuoteMeta(addr) + `\s+UP\b`)
}

// waitForApps polls the WAF until want different apps have answered through it
// (bounded: 60 s, 20 requests a second at most).
func waitForApps(t *testing.T, url, prefix string, want int) map[string]bool {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	seen := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) && len(seen) < want {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			last = fmt.Sprintf("%d %q", resp.StatusCode, body)
			if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(body), prefix) {
				seen[string(body)] = true
				continue
			}
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(seen) < want {
		t.Fatalf("the WAF at %s did not serve %d apps within 60s: saw %v, last answer %s", url, want, seen, last)
	}
	return seen
}

// get fetches url and returns the body of a 200 answer; anything else fails the test.
func get(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %q", url, resp.StatusCode, body)
	}
	return string(body)
}

// waitForStatus runs `rampart status` until ok accepts its output (bounded: 30 s, twice
// a second): members change as health checks and Docker events come in.
func waitForStatus(t *testing.T, c *e2etest.CLI, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var out string
	for time.Now().Before(deadline) {
		out = c.Must("status")
		if ok(out) {
			return out
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("rampart status did not show what was expected within 30s; last output:\n%s", out)
	return ""
}
