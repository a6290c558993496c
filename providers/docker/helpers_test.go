package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/docker/e2etest"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// labelTest marks everything a test creates, so its cleanup removes exactly that.
const labelTest = "rampart.test"

// wafRuntimeType is the shape the schema package gives a `waf` block (a subset).
var wafRuntimeType = cty.Object(map[string]cty.Type{
	"listen": cty.Object(map[string]cty.Type{"address": cty.String, "http": cty.Number, "https": cty.Number}),
	"admin":  cty.Object(map[string]cty.Type{"listen": cty.String}),
	"server_pool": cty.List(cty.Object(map[string]cty.Type{
		"name":   cty.String,
		"member": cty.List(cty.Object(map[string]cty.Type{"address": cty.String})),
	})),
	"site": cty.List(cty.Object(map[string]cty.Type{
		"name":      cty.String,
		"hostnames": cty.List(cty.String),
		"pool":      cty.String,
	})),
})

// objectOf builds an object of type t with attrs set and every other attribute null.
func objectOf(t cty.Type, attrs map[string]cty.Value) cty.Value {
	full := map[string]cty.Value{}
	for name, at := range t.AttributeTypes() {
		full[name] = cty.NullVal(at)
	}
	for name, v := range attrs {
		full[name] = v
	}
	return cty.ObjectVal(full)
}

// wafRuntime is a WAF configuration for a container: HTTP on httpPort, admin API on
// every interface of the container (so the provider reaches it on the bridge).
func wafRuntime(httpPort int, hostname string) cty.Value {
	poolType := wafRuntimeType.AttributeType("server_pool").ElementType()
	siteType := wafRuntimeType.AttributeType("site").ElementType()
	memberType := poolType.AttributeType("member").ElementType()
	return objectOf(wafRuntimeType, map[string]cty.Value{
		"listen": objectOf(wafRuntimeType.AttributeType("listen"), map[string]cty.Value{
			"address": cty.StringVal("0.0.0.0"), "http": cty.NumberIntVal(int64(httpPort)),
		}),
		"admin": objectOf(wafRuntimeType.AttributeType("admin"), map[string]cty.Value{"listen": cty.StringVal("0.0.0.0:9901")}),
		"server_pool": cty.ListVal([]cty.Value{objectOf(poolType, map[string]cty.Value{
			"name":   cty.StringVal("app"),
			"member": cty.ListVal([]cty.Value{objectOf(memberType, map[string]cty.Value{"address": cty.StringVal("127.0.0.1:9")})}),
		})}),
		"site": cty.ListVal([]cty.Value{objectOf(siteType, map[string]cty.Value{
			"name": cty.StringVal("shop"), "hostnames": cty.ListVal([]cty.Value{cty.StringVal(hostname)}), "pool": cty.StringVal("app"),
		})}),
	})
}

// dockerPlacement is a `docker { }` block as the engine sends it.
func dockerPlacement(attrs map[string]cty.Value) cty.Value {
	all := map[string]cty.Value{}
	for name, t := range placementType.AttributeTypes() {
		all[name] = cty.NullVal(t)
	}
	for k, v := range attrs {
		all[k] = v
	}
	return cty.ObjectVal(all)
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// dockerClient connects to the local engine, or skips the test when there is none.
func dockerClient(t testing.TB) *client.Client {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1")
	}
	cli, err := newClient(endpoint{host: DefaultHost})
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("no Docker engine at %s (set RAMPART_SKIP_DOCKER=1 to skip): %v", DefaultHost, err)
	}
	return cli
}

var (
	wafBuild     sync.Once
	wafBuildDir  string
	wafBuildErr  error
	wafBuildOutp []byte
)

// TestMain removes the runtime build shared by the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if wafBuildDir != "" {
		_ = os.RemoveAll(wafBuildDir)
	}
	e2etest.RemoveBinaries()
	os.Exit(code)
}

// staticWAF builds a static rampart-waf once per test binary and returns its directory.
func staticWAF(t testing.TB) string {
	t.Helper()
	wafBuild.Do(func() {
		dir, err := os.MkdirTemp("", "rampart-docker-test-")
		if err != nil {
			wafBuildErr = err
			return
		}
		wafBuildDir = dir
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "rampart-waf"), "./cmd/rampart-waf")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		wafBuildOutp, wafBuildErr = cmd.CombinedOutput()
	})
	if wafBuildErr != nil {
		t.Fatalf("build rampart-waf: %v\n%s", wafBuildErr, wafBuildOutp)
	}
	return wafBuildDir
}

// testPlacement is a placement whose runtimes come from a fresh build and whose
// containers and images carry a random test label removed when the test ends.
func testPlacement(t *testing.T) (*placement, *client.Client) {
	t.Helper()
	cli := dockerClient(t)
	p := newPlacement()
	p.engine.set(cli)
	p.runtimeDir = staticWAF(t)
	mark := randomHex(t, 6)
	p.extraLabels = map[string]string{labelTest: mark}
	t.Cleanup(func() { removeLabelled(t, cli, labelTest+"="+mark) })
	return p, cli
}

// removeLabelled removes the containers and images carrying label.
func removeLabelled(t testing.TB, cli *client.Client, label string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := filters.NewArgs(filters.Arg("label", label))
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		t.Errorf("cleanup: list containers: %v", err)
	}
	for _, c := range list {
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			t.Errorf("cleanup: remove container %s: %v", c.ID, err)
		}
	}
	images, err := cli.ImageList(ctx, image.ListOptions{Filters: args})
	if err != nil {
		t.Errorf("cleanup: list images: %v", err)
	}
	for _, img := range images {
		if _, err := cli.ImageRemove(ctx, img.ID, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
			t.Errorf("cleanup: remove image %s: %v", img.ID, err)
		}
	}
}

func mustNoErrors(t testing.TB, diags protocol.Diagnostics) {
	t.Helper()
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags.Err())
	}
}

// progressLog sends progress lines to the test log.
func progressLog(t testing.TB) func(string, ...any) {
	return func(format string, args ...any) { t.Logf(format, args...) }
}
