// Package dockertest lets tests use the real Docker engine: it connects (or fails with how
// to start dockerd), builds the tiny backend image from testdata without any registry, and
// runs, stops and removes containers and networks. Everything it creates carries the label
// rampart.test=<run id> and is removed in t.Cleanup. Only tests import it.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// LabelKey marks everything a test creates; its value is the run id.
const LabelKey = "rampart.test"

// BackendPort is the port the backend image serves on.
const BackendPort = 8080

// Engine is the local Docker engine plus this test run's id.
type Engine struct {
	Client   *docker.Client
	Endpoint string
	RunID    string
}

// Connect returns the engine at /var/run/docker.sock (or DOCKER_HOST when it is a unix or
// tcp URL). It skips the test when RAMPART_SKIP_DOCKER=1 and fails it, saying how to start
// dockerd, when the engine does not answer.
func Connect(t testing.TB) *Engine {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1: skipping the tests that need a Docker engine")
	}
	endpoint := "unix:///var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") || strings.HasPrefix(h, "tcp://") {
		endpoint = h
	}
	// Generous: on an engine shared with other tests' packages, a forced removal can take
	// longer than the WAF's own 10 s per call.
	c, err := docker.NewClient(endpoint, docker.Options{RequestTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.APIVersion(ctx); err != nil {
		t.Fatalf("this test needs a Docker engine at %s: %v\n"+
			"start one (as root: `apt-get install docker.io && dockerd &`, or `systemctl start docker`),\n"+
			"or set RAMPART_SKIP_DOCKER=1 to skip the Docker tests", endpoint, err)
	}
	return &Engine{Client: c, Endpoint: endpoint, RunID: randomID()}
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Labels are the labels of everything this run creates.
func (e *Engine) Labels() map[string]string { return map[string]string{LabelKey: e.RunID} }

// BuildBackend compiles testdata/backend statically and builds it into a FROM scratch
// image tagged ref through POST /build. extra is added to the image as a file so that two
// builds of the same program can differ. The image is removed in t.Cleanup.
func (e *Engine) BuildBackend(t testing.TB, ref, extra string) {
	t.Helper()
	binary := buildBackendBinary(t)
	tarball := buildContext(t, binary, extra)
	labels, _ := json.Marshal(e.Labels())
	// nocache: tests in several packages build and remove images at the same time;
	// a cached layer whose parent another test just removed fails the build.
	query := url.Values{"t": {ref}, "labels": {string(labels)}, "rm": {"1"}, "forcerm": {"1"}, "nocache": {"1"}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := e.Client.Do(ctx, http.MethodPost, "/build", query, bytes.NewReader(tarball), "application/x-tar")
	if err != nil {
		t.Fatalf("build image %s: %v", ref, err)
	}
	defer resp.Body.Close()
	// The answer streams progress as JSON objects; a failed step is an "error" object.
	decoder := json.NewDecoder(resp.Body)
	var output strings.Builder
	for {
		var msg struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if err := decoder.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("build image %s: read progress: %v", ref, err)
		}
		output.WriteString(msg.Stream)
		if msg.Error != "" {
			t.Fatalf("build image %s: %s\n%s", ref, msg.Error, output.String())
		}
	}
	// Removed by ID, not by ref: the ref may have moved to a later build by then.
	img, err := e.Client.InspectImage(ctx, ref)
	if err != nil {
		t.Fatalf("inspect the image just built: %v", err)
	}
	t.Cleanup(func() { e.remove(t, "/images/"+img.ID, url.Values{"force": {"1"}}) })
}

// buildBackendBinary runs `CGO_ENABLED=0 go build` of testdata/backend into a temp dir.
func buildBackendBinary(t testing.TB) []byte {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the dockertest package source")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the backend image is compiled with the go tool, which is not on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), "backend")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./testdata/backend")
	cmd.Dir = filepath.Dir(self)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/backend: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// buildContext is the tar the engine builds from: a Dockerfile and the binary.
func buildContext(t testing.TB, binary []byte, extra string) []byte {
	t.Helper()
	dockerfile := "FROM scratch\nCOPY backend /backend\nCOPY extra /extra\nEXPOSE 8080\nENTRYPOINT [\"/backend\"]\n"
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"Dockerfile", 0o644, []byte(dockerfile)},
		{"backend", 0o755, binary},
		{"extra", 0o644, []byte(extra)},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ContainerSpec is what RunContainer starts.
type ContainerSpec struct {
	Name    string
	Image   string
	Network string // "" for the default bridge
	// PublishLoopback publishes BackendPort on a free port of 127.0.0.1 (never on all
	// addresses).
	PublishLoopback bool
	// HealthCheck gives the container Docker's own health check: `backend -check` every
	// interval, unhealthy after one failure.
	HealthCheck time.Duration
}

// RunContainer creates and starts a container; it is removed (forced) in t.Cleanup.
// It returns the container's ID.
func (e *Engine) RunContainer(t testing.TB, spec ContainerSpec) string {
	t.Helper()
	port := fmt.Sprintf("%d/tcp", BackendPort)
	hostConfig := map[string]any{}
	if spec.Network != "" {
		hostConfig["NetworkMode"] = spec.Network
	}
	if spec.PublishLoopback {
		hostConfig["PortBindings"] = map[string]any{port: []map[string]string{{"HostIp": "127.0.0.1", "HostPort": ""}}}
	}
	body := map[string]any{
		"Image":        spec.Image,
		"Hostname":     spec.Name, // the backend answers its hostname
		"Labels":       e.Labels(),
		"ExposedPorts": map[string]any{port: map[string]any{}},
		"HostConfig":   hostConfig,
	}
	if spec.HealthCheck > 0 {
		body["Healthcheck"] = map[string]any{
			"Test":     []string{"CMD", "/backend", "-check"},
			"Interval": spec.HealthCheck.Nanoseconds(),
			"Timeout":  (2 * time.Second).Nanoseconds(),
			"Retries":  1,
		}
	}
	var created struct {
		ID string `json:"Id"`
	}
	e.call(t, http.MethodPost, "/containers/create", url.Values{"name": {spec.Name}}, body, &created)
	t.Cleanup(func() {
		e.remove(t, "/containers/"+created.ID, url.Values{"force": {"1"}, "v": {"1"}})
	})
	e.Start(t, created.ID)
	return created.ID
}

// Start starts a stopped container.
func (e *Engine) Start(t testing.TB, id string) {
	t.Helper()
	e.call(t, http.MethodPost, "/containers/"+id+"/start", nil, nil, nil)
}

// Stop stops a container (the backend exits on SIGTERM at once).
func (e *Engine) Stop(t testing.TB, id string) {
	t.Helper()
	e.call(t, http.MethodPost, "/containers/"+id+"/stop", url.Values{"t": {"5"}}, nil, nil)
}

// Pause freezes a container's processes; Unpause thaws them.
func (e *Engine) Pause(t testing.TB, id string) {
	t.Helper()
	e.call(t, http.MethodPost, "/containers/"+id+"/pause", nil, nil, nil)
}

// Unpause thaws a paused container.
func (e *Engine) Unpause(t testing.TB, id string) {
	t.Helper()
	e.call(t, http.MethodPost, "/containers/"+id+"/unpause", nil, nil, nil)
}

// CreateNetwork creates a bridge network; it is removed in t.Cleanup.
func (e *Engine) CreateNetwork(t testing.TB, name string) {
	t.Helper()
	var created struct {
		ID string `json:"Id"`
	}
	e.call(t, http.MethodPost, "/networks/create", nil, map[string]any{
		"Name": name, "Driver": "bridge", "Labels": e.Labels(), "CheckDuplicate": true,
	}, &created)
	t.Cleanup(func() { e.remove(t, "/networks/"+created.ID, nil) })
}

// call sends a JSON request and decodes the JSON answer into out (when not nil).
func (e *Engine) call(t testing.TB, method, path string, query url.Values, in, out any) {
	t.Helper()
	var body io.Reader
	contentType := ""
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body, contentType = bytes.NewReader(data), "application/json"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := e.Client.Do(ctx, method, path, query, body, contentType)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode answer: %v", method, path, err)
		}
	}
}

// remove deletes something the test created; already gone is fine.
func (e *Engine) remove(t testing.TB, path string, query url.Values) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := e.Client.Do(ctx, http.MethodDelete, path, query, nil, "")
	switch {
	case err == nil:
		resp.Body.Close()
	case !docker.IsNotFound(err):
		t.Errorf("clean up %s: %v", path, err)
	}
}

// Health is the state of a container's Docker health check: starting, healthy,
// unhealthy, or "" without one.
func (e *Engine) Health(t testing.TB, name string) string {
	t.Helper()
	var inspected struct {
		State struct {
			Health *struct {
				Status string `json:"Status"`
			} `json:"Health"`
		} `json:"State"`
	}
	e.call(t, http.MethodGet, "/containers/"+name+"/json", nil, nil, &inspected)
	if inspected.State.Health == nil {
		return ""
	}
	return inspected.State.Health.Status
}
