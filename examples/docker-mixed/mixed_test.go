package dockermixed_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

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

// TestDockerMixed applies the example for real: the WAF as a local process in front of
// two application containers published on loopback; both answer through it, a second
// plan has no changes, and destroy stops the WAF.
func TestDockerMixed(t *testing.T) {
	cli := e2etest.Docker(t)
	engine := dockertest.Connect(t)
	appImage := "rampart-example/mixed-app-" + engine.RunID + ":1"
	engine.BuildBackend(t, appImage, "docker-mixed")
	var addrs []string
	for i := 1; i <= 2; i++ {
		id := engine.RunContainer(t, dockertest.ContainerSpec{
			Name: fmt.Sprintf("mixed-app-%s-%d", engine.RunID, i), Image: appImage, PublishLoopback: true})
		info, err := cli.ContainerInspect(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		bindings := info.NetworkSettings.Ports[nat.Port(fmt.Sprintf("%d/tcp", dockertest.BackendPort))]
		if len(bindings) == 0 {
			t.Fatalf("app container %s publishes no port", id)
		}
		addrs = append(addrs, "127.0.0.1:"+bindings[0].HostPort)
	}
	httpPort, adminPort := freeport.Port(t), freeport.Port(t)
	c := e2etest.NewCLI(t, ".", fmt.Sprintf("http_port = %d\nadmin_port = %d\napp1_address = %q\napp2_address = %q\n",
		httpPort, adminPort, addrs[0], addrs[1]))
	t.Cleanup(func() { c.Run("destroy", "-auto-approve") })

	c.Must("init")
	c.Must("apply", "-auto-approve")
	url := fmt.Sprintf("http://127.0.0.1:%d/", httpPort)
	seen := map[string]bool{}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for len(seen) < 2 && time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(body), "mixed-app-"+engine.RunID) {
				seen[string(body)] = true
				continue
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(seen) < 2 {
		t.Fatalf("the local WAF did not serve both app containers within 60s: saw %v", seen)
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan right after apply exited %d, want 0:\n%s", code, out)
	}
	c.Must("destroy", "-auto-approve")
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Fatalf("the WAF still answers on %s after destroy", url)
	}
}
