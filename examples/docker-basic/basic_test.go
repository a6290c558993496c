package dockerbasic_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/providers/docker/e2etest"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/dockertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	e2etest.RemoveBinaries()
	os.Exit(code)
}

// TestDockerBasic is the must-show lifecycle of the Docker provider through the real CLI:
// apply → the WAF container serves the apps it discovers; a second plan has no changes; a
// reloadable change updates in place (same container, no failed request); an image change
// replaces the container; `docker rm -f` is drift that apply heals; import adopts the
// container again; destroy leaves no container (not even one stopped outside rampart),
// network or rampart image behind.
func TestDockerBasic(t *testing.T) {
	cli := e2etest.Docker(t)
	engine := dockertest.Connect(t)
	ctx := context.Background()

	appImage := "rampart-example/app-" + engine.RunID
	engine.BuildBackend(t, appImage+":1", "docker-basic")
	netName := "rampart_basic_" + engine.RunID
	httpPort := freeport.Port(t)
	subnet := fmt.Sprintf("10.210.%d.0/24", rand.IntN(250)+1)
	vars := func(mode, wafImage string) string {
		image := "null"
		if wafImage != "" {
			image = fmt.Sprintf("%q", wafImage)
		}
		return fmt.Sprintf("http_port = %d\nnetwork_name = %q\nnetwork_subnet = %q\napp_image = %q\n"+
			"app_name_contains = %q\npolicy_mode = %q\nwaf_image = %s\n",
			httpPort, netName, subnet, appImage, "basic-app-"+engine.RunID, mode, image)
	}
	c := e2etest.NewCLI(t, ".", vars("block", ""))
	var lineage string
	t.Cleanup(func() {
		c.Run("destroy", "-auto-approve")
		e2etest.RemoveLineage(t, cli, lineage)
		_ = cli.NetworkRemove(context.Background(), netName)
	})

	// Apply: rampart builds the WAF image, creates the network and the container.
	c.Must("init")
	applied := c.Must("apply", "-auto-approve")
	if !strings.Contains(applied, "1 added") {
		t.Fatalf("apply output:\n%s", applied)
	}
	lineage = c.Lineage("rampart.state")
	first, _ := c.Placement("waf.shop")
	builtImage := first.ImageRef
	if !strings.HasPrefix(builtImage, "rampart/waf:") {
		t.Fatalf("image_ref = %q, want the image rampart built", builtImage)
	}

	// Two application containers on the network, not published.
	for _, name := range []string{"basic-app-" + engine.RunID + "-1", "basic-app-" + engine.RunID + "-2"} {
		engine.RunContainer(t, dockertest.ContainerSpec{Name: name, Image: appImage + ":1", Network: netName})
	}
	wafURL := fmt.Sprintf("http://127.0.0.1:%d/", httpPort)
	seen := waitForBothApps(t, wafURL, "basic-app-"+engine.RunID)
	t.Logf("the WAF balances over %v", seen)

	// `rampart status` shows the WAF's own view, read from its admin API in the container:
	// both pool members UP, and its figures.
	status := waitForStatus(t, c, func(out string) bool {
		return len(memberUp.FindAllString(out, -1)) == 2 && allMembersUp.MatchString(out)
	})
	if !strings.Contains(status, "healthy") || !strings.Contains(status, "blocked:") {
		t.Fatalf("status does not show a healthy WAF with its figures:\n%s", status)
	}

	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan right after apply exited %d, want 0:\n%s", code, out)
	}

	// A reloadable change: same container, zero failed requests while it reloads.
	c.WriteVars(vars("detect", ""))
	planned := c.Must("plan")
	if !strings.Contains(planned, "updated in-place") {
		t.Fatalf("policy change does not plan an update in place:\n%s", planned)
	}
	stop := make(chan struct{})
	var ok, failed atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		loadLoop(wafURL, stop, &ok, &failed)
	}()
	c.Must("apply", "-auto-approve")
	close(stop)
	<-done
	if failed.Load() > 0 || ok.Load() == 0 {
		t.Fatalf("during the reload: %d requests ok, %d failed; want none failed", ok.Load(), failed.Load())
	}
	t.Logf("reload: %d requests served, none failed", ok.Load())
	reloaded, _ := c.Placement("waf.shop")
	if reloaded.ContainerID != first.ContainerID {
		t.Fatalf("reload replaced the container: %s → %s", first.ContainerID, reloaded.ContainerID)
	}

	// An image change replaces the container.
	altImage := "rampart-example/waf-alt-" + engine.RunID + ":1"
	if err := cli.ImageTag(ctx, builtImage, altImage); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), altImage, image.RemoveOptions{Force: true}) })
	c.WriteVars(vars("detect", altImage))
	planned = c.Must("plan")
	if !strings.Contains(planned, "replace") || !strings.Contains(planned, "image") {
		t.Fatalf("image change does not plan a replace naming the image:\n%s", planned)
	}
	c.Must("apply", "-auto-approve")
	replaced, _ := c.Placement("waf.shop")
	if replaced.ContainerID == reloaded.ContainerID || replaced.ImageRef != altImage {
		t.Fatalf("after the image change: container %s image %s, want a new container running %s", replaced.ContainerID, replaced.ImageRef, altImage)
	}
	waitForBothApps(t, wafURL, "basic-app-"+engine.RunID)

	// docker rm -f behind rampart's back: drift, then apply restores it.
	if err := cli.ContainerRemove(ctx, replaced.ContainerID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		t.Fatal(err)
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 2 {
		t.Fatalf("plan after docker rm -f exited %d, want 2:\n%s", code, out)
	}
	c.Must("apply", "-auto-approve")
	restored, _ := c.Placement("waf.shop")
	if info, err := cli.ContainerInspect(ctx, restored.ContainerID); err != nil || !info.State.Running {
		t.Fatalf("restored container %s not running: %v", restored.ContainerID, err)
	}
	waitForBothApps(t, wafURL, "basic-app-"+engine.RunID)

	// Forget it, import it by name through the CLI: the plan then has no changes.
	c.Must("state", "rm", "waf.shop")
	imported := c.Must("import", "waf.shop", "docker:"+restored.ContainerName)
	if !strings.Contains(imported, "Imported waf.shop") {
		t.Fatalf("import output:\n%s", imported)
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after import exited %d, want 0:\n%s", code, out)
	}

	// A container stopped behind rampart's back counts as gone for a plan, but destroy
	// still removes what is left of it (and so can remove its network).
	if err := cli.ContainerStop(ctx, restored.ContainerID, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}

	// The apps leave the network, then destroy removes everything rampart made.
	for _, app := range e2etestApps(t, engine) {
		_ = cli.ContainerRemove(ctx, app, container.RemoveOptions{Force: true})
	}
	c.Must("destroy", "-auto-approve")
	if left := e2etest.Containers(t, cli, lineage); len(left) > 0 {
		t.Errorf("destroy left %d container(s) of this state", len(left))
	}
	if _, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("destroy left network %s behind (inspect error %v)", netName, err)
	}
	if e2etest.ImageLeftBehind(t, cli, builtImage) {
		t.Errorf("destroy left image %s behind, unused", builtImage)
	}
}

// memberUp matches a pool member UP in `rampart status`.
var memberUp = regexp.MustCompile(`(?m)^  pool apps: \S+:8080\s+UP\b`)

// allMembersUp matches the WAF's "members UP" figure with both members.
var allMembersUp = regexp.MustCompile(`(?m)^  members UP:\s+2 of 2$`)

// waitForStatus runs `rampart status` until ok accepts its output (bounded: 30 s, twice a
// second): the WAF marks members UP after its health checks pass.
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

// e2etestApps lists the app containers this run started.
func e2etestApps(t *testing.T, engine *dockertest.Engine) []string {
	cli := e2etest.Docker(t)
	list, err := cli.ContainerList(context.Background(), container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list {
		if c.Labels[dockertest.LabelKey] == engine.RunID {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// waitForBothApps polls the WAF until both application containers have answered through
// it (bounded: 60 s, 20 requests a second at most).
func waitForBothApps(t *testing.T, url, prefix string) map[string]bool {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	seen := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) && len(seen) < 2 {
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
	if len(seen) < 2 {
		t.Fatalf("the WAF at %s did not serve both apps within 60s: saw %v, last answer %s", url, seen, last)
	}
	return seen
}

// loadLoop sends requests until stop is closed, counting successes and failures
// (bounded: at most 20,000 requests, 2 minutes).
func loadLoop(url string, stop <-chan struct{}, ok, failed *atomic.Int64) {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := client.Get(url)
		if err != nil {
			failed.Add(1)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			ok.Add(1)
		} else {
			failed.Add(1)
		}
	}
}
