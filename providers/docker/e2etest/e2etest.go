// Package e2etest runs the real rampart CLI with the docker provider in the end-to-end
// tests of the Docker examples: it builds the binaries once per test binary, runs
// commands in a working copy of an example, reads state through `rampart show -json`,
// and finds what a run left on the engine by label. Only tests import it.
package e2etest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
)

// Binaries are the programs an example needs, built into one directory so that rampart
// finds its plugins and the docker provider finds rampart-waf next to itself.
var Binaries = []string{
	"github.com/rampart-sec/rampart/cmd/rampart",
	"github.com/rampart-sec/rampart/cmd/rampart-provider-docker",
	"github.com/rampart-sec/rampart/cmd/rampart-provider-local",
	"github.com/rampart-sec/rampart/cmd/rampart-waf",
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// BuildBinaries builds Binaries (static, CGO_ENABLED=0) once per test binary and returns
// their directory. Call RemoveBinaries from TestMain.
func BuildBinaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "rampart-docker-e2e-bin-")
		if buildErr != nil {
			return
		}
		_, self, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", append([]string{"build", "-trimpath", "-o", buildDir + "/"}, Binaries...)...)
		cmd.Dir = filepath.Dir(self)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// RemoveBinaries deletes what BuildBinaries built.
func RemoveBinaries() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

// Docker connects to the local engine, or fails saying how to start one (skips when
// RAMPART_SKIP_DOCKER=1).
func Docker(t testing.TB) *client.Client {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1: skipping the Docker end-to-end tests")
	}
	cli, err := client.NewClientWithOpts(client.WithHost("unix:///var/run/docker.sock"), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("this test needs a Docker engine at /var/run/docker.sock: %v\n"+
			"start one (as root: `apt-get install docker.io && dockerd &`), or set RAMPART_SKIP_DOCKER=1 to skip it", err)
	}
	return cli
}

// CLI runs the rampart binary in a working directory.
type CLI struct {
	T   testing.TB
	Bin string // directory of the binaries
	Dir string // working copy of the example
	Env []string
}

// NewCLI copies the example's *.hcl files from src into a fresh directory, writes vars
// as test.vars.hcl and returns a CLI working there.
func NewCLI(t testing.TB, src, vars string) *CLI {
	t.Helper()
	bin := BuildBinaries(t)
	work := t.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.hcl in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := &CLI{T: t, Bin: bin, Dir: work}
	c.WriteVars(vars)
	return c
}

// WriteVars replaces test.vars.hcl.
func (c *CLI) WriteVars(vars string) {
	c.T.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, "test.vars.hcl"), []byte(vars), 0o644); err != nil {
		c.T.Fatal(err)
	}
}

// Command is `rampart -chdir=<dir> args...`, not started.
func (c *CLI) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.Bin, "rampart"), append([]string{"-chdir=" + c.Dir}, args...)...)
	cmd.Dir = c.Dir
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), c.Env...)
	return cmd
}

// Run runs rampart and returns its exit code and combined output.
func (c *CLI) Run(args ...string) (int, string) {
	c.T.Helper()
	cmd := c.Command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	case err != nil:
		c.T.Fatalf("run rampart %v: %v", args, err)
	}
	return 0, out.String()
}

// Must runs rampart and fails the test unless it exits 0.
func (c *CLI) Must(args ...string) string {
	c.T.Helper()
	code, out := c.Run(args...)
	if code != 0 {
		c.T.Fatalf("rampart %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// Placement is the docker placement of an instance as `rampart show -json` prints it.
type Placement struct {
	ContainerID   string `json:"container_id"`
	ContainerName string `json:"container_name"`
	ImageID       string `json:"image_id"`
	ImageRef      string `json:"image_ref"`
	Address       string `json:"address"`
}

// Placement reads address's placement from state; ok is false when it is not in state.
func (c *CLI) Placement(address string) (Placement, bool) {
	c.T.Helper()
	out := c.Must("show", "-json")
	var doc struct {
		Instances []struct {
			Address string `json:"address"`
			Value   struct {
				Placement Placement `json:"placement"`
			} `json:"value"`
		} `json:"instances"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		c.T.Fatalf("show -json: %v\n%s", err, out)
	}
	for _, inst := range doc.Instances {
		if inst.Address == address {
			return inst.Value.Placement, true
		}
	}
	return Placement{}, false
}

// Lineage reads the state's lineage from the local backend's file.
func (c *CLI) Lineage(stateFile string) string {
	c.T.Helper()
	data, err := os.ReadFile(filepath.Join(c.Dir, stateFile))
	if err != nil {
		c.T.Fatalf("read state: %v", err)
	}
	var doc struct {
		Lineage string `json:"lineage"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		c.T.Fatalf("decode state: %v", err)
	}
	return doc.Lineage
}

// Containers lists the containers (running or not) carrying the lineage label.
func Containers(t testing.TB, cli *client.Client, lineage string) []container.Summary {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "rampart.lineage="+lineage))})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	return list
}

// RemoveLineage force-removes the containers of a lineage: the cleanup of a test whose
// destroy did not run or did not finish.
func RemoveLineage(t testing.TB, cli *client.Client, lineage string) {
	if lineage == "" {
		return
	}
	for _, c := range Containers(t, cli, lineage) {
		_ = cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
}

// ImageLeftBehind reports whether the image ref still exists although no container uses
// it: what destroy should have removed. An image that containers of another state still
// run (the same runtime binary gives the same image) is theirs, not left behind.
func ImageLeftBehind(t testing.TB, cli *client.Client, ref string) bool {
	t.Helper()
	ctx := context.Background()
	if _, err := cli.ImageInspect(ctx, ref); cerrdefs.IsNotFound(err) {
		return false
	} else if err != nil {
		t.Fatalf("inspect image %s: %v", ref, err)
	}
	users, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("ancestor", ref))})
	if err != nil {
		t.Fatalf("list the containers of image %s: %v", ref, err)
	}
	return len(users) == 0
}
