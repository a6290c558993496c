package discovery

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/dockertest"
)

// These tests run against the real Docker engine (RAMPART_SKIP_DOCKER=1 skips them). The
// containers run the backend image built from dockertest/testdata; the only traffic sent
// is to those containers, at their bridge IPs or at ports published on 127.0.0.1.

// recorder keeps the member sets discovery applies, as the WAF's pools would.
type recorder struct {
	mu      sync.Mutex
	members map[string][]Member
	applied int
}

func (r *recorder) apply(pool string, members []Member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.members[pool] = members
	r.applied++
}

// containers are the names of the pool's members, sorted.
func (r *recorder) containers(pool string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, m := range r.members[pool] {
		names = append(names, m.Container)
	}
	slices.Sort(names)
	return names
}

func (r *recorder) get(pool string) []Member {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.members[pool])
}

// fixture is one test run: the engine, an image only this run uses, and a pool over it.
type fixture struct {
	engine *dockertest.Engine
	repo   string // rampart-test/backend-<run id>
	prefix string // container names of the pool: shop-<run id>-
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := dockertest.Connect(t)
	f := &fixture{engine: e, repo: "rampart-test/backend-" + e.RunID, prefix: "shop-" + e.RunID + "-"}
	e.BuildBackend(t, f.repo+":v1", "v1")
	return f
}

func (f *fixture) run(t *testing.T, name string, spec dockertest.ContainerSpec) string {
	t.Helper()
	spec.Name = name + "-" + f.engine.RunID
	if strings.HasPrefix(name, "shop-") {
		spec.Name = f.prefix + strings.TrimPrefix(name, "shop-")
	}
	if spec.Image == "" {
		spec.Image = f.repo + ":v1"
	}
	return f.engine.RunContainer(t, spec)
}

// config is a WAF configuration with one dynamic pool "app" over this run's image.
func (f *fixture) config(endpoint, refresh, network string) *config.Config {
	return &config.Config{
		DockerAPI: &config.DockerAPI{Endpoints: []string{endpoint}},
		Pools: []config.Pool{{
			Name: "app",
			Port: dockertest.BackendPort,
			DockerDiscovery: &config.DockerDiscovery{
				// Another spelling of the repository than the one containers are created
				// with: the two must normalise to the same name.
				Image:           "docker.io/" + f.repo + ":any-tag",
				NameContains:    f.prefix,
				Network:         network,
				RefreshInterval: refresh,
			},
		}},
	}
}

func startDiscovery(t *testing.T, cfg *config.Config, opts Options) (*Discovery, *recorder) {
	t.Helper()
	rec := &recorder{members: map[string][]Member{}}
	opts.Getenv = func(string) string { return "" } // the test's endpoint, not the environment's
	d, err := New(cfg, rec.apply, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	d.Start()
	t.Cleanup(d.Stop)
	return d, rec
}

// waitForMembers polls until the pool's members are exactly want, failing after within.
func waitForMembers(t *testing.T, rec *recorder, within time.Duration, why string, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(within)
	for {
		got := rec.containers("app")
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: pool members = %v, want %v (waited %s)", why, got, want, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// askBackend sends one GET to a member and returns its answer: the container's name.
func askBackend(t *testing.T, address string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	var lastErr error
	for range 50 { // a container just started may not have bound its port yet
		resp, err := client.Get("http://" + address + "/")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(body)
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("GET http://%s/: %v", address, lastErr)
	return ""
}

func TestDockerDiscoveryFollowsEvents(t *testing.T) {
	f := newFixture(t)
	// With a refresh interval of an hour, only events can explain a change within seconds.
	_, rec := startDiscovery(t, f.config(f.engine.Endpoint, "1h", ""), Options{})
	const viaEvents = 2 * time.Second

	one := f.run(t, "shop-1", dockertest.ContainerSpec{})
	two := f.run(t, "shop-2", dockertest.ContainerSpec{})
	f.run(t, "other", dockertest.ContainerSpec{}) // same image, name does not match
	waitForMembers(t, rec, viaEvents, "two matching containers started", f.prefix+"1", f.prefix+"2")

	for _, m := range rec.get("app") {
		if !strings.HasPrefix(m.Via, "network ") {
			t.Errorf("member %s reached via %q, want its network IP (the WAF runs on the Docker host)", m.Container, m.Via)
		}
		if got := askBackend(t, m.Address); got != m.Container {
			t.Errorf("GET %s answered %q, want %q", m.Address, got, m.Container)
		}
	}

	f.engine.Stop(t, one)
	waitForMembers(t, rec, viaEvents, "one stopped", f.prefix+"2")

	f.run(t, "shop-3", dockertest.ContainerSpec{})
	waitForMembers(t, rec, viaEvents, "a new matching container started", f.prefix+"2", f.prefix+"3")

	f.engine.Start(t, one)
	waitForMembers(t, rec, viaEvents, "the stopped one restarted", f.prefix+"1", f.prefix+"2", f.prefix+"3")

	f.engine.Pause(t, two)
	waitForMembers(t, rec, viaEvents, "one paused", f.prefix+"1", f.prefix+"3")
	f.engine.Unpause(t, two)
	waitForMembers(t, rec, viaEvents, "the paused one unpaused", f.prefix+"1", f.prefix+"2", f.prefix+"3")
}

// TestDockerDiscoveryFollowsHealthEvents: a container whose Docker health check fails
// leaves the pool through the engine's health_status event, and comes back when healthy.
func TestDockerDiscoveryFollowsHealthEvents(t *testing.T) {
	f := newFixture(t)
	// A refresh interval of an hour: only events can explain a change within seconds.
	_, rec := startDiscovery(t, f.config(f.engine.Endpoint, "1h", ""), Options{})
	// The health check runs every second; an event then reaches the WAF at once.
	const viaHealthEvents = 8 * time.Second

	f.run(t, "shop-1", dockertest.ContainerSpec{HealthCheck: time.Second})
	f.run(t, "shop-2", dockertest.ContainerSpec{})
	waitForMembers(t, rec, viaHealthEvents, "two matching containers started", f.prefix+"1", f.prefix+"2")
	var sickAddress string
	for _, m := range rec.get("app") {
		if m.Container == f.prefix+"1" {
			sickAddress = m.Address
		}
	}
	// Starting → healthy is an event too; wait for it so the next change is the failure.
	waitFor(t, "shop-1 healthy", func() bool { return f.engine.Health(t, f.prefix+"1") == "healthy" })

	post(t, sickAddress, "/sick")
	waitForMembers(t, rec, viaHealthEvents, "shop-1's health check fails", f.prefix+"2")
	if got := f.engine.Health(t, f.prefix+"1"); got != "unhealthy" {
		t.Fatalf("Docker reports shop-1 %q, want unhealthy", got)
	}

	post(t, sickAddress, "/well")
	waitForMembers(t, rec, viaHealthEvents, "shop-1 healthy again", f.prefix+"1", f.prefix+"2")
}

// post sends an empty POST to a backend container.
func post(t *testing.T, address, path string) {
	t.Helper()
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post("http://"+address+path, "text/plain", nil)
	if err != nil {
		t.Fatalf("POST %s%s: %v", address, path, err)
	}
	resp.Body.Close()
}

// eventsBlocker is a TCP endpoint in front of the engine's unix socket that passes every
// call except GET /events, which it refuses: the watcher runs without events.
func eventsBlocker(t *testing.T) (endpoint string, lists func() int) {
	t.Helper()
	var mu sync.Mutex
	listCount := 0
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "docker"
		},
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", "/var/run/docker.sock")
			},
		},
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/events") {
			http.Error(w, `{"message":"events blocked by the test"}`, http.StatusServiceUnavailable)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/containers/json") {
			mu.Lock()
			listCount++
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	return "tcp://" + strings.TrimPrefix(server.URL, "http://"), func() int {
		mu.Lock()
		defer mu.Unlock()
		return listCount
	}
}

func TestDockerDiscoveryRelistHealsWithoutEvents(t *testing.T) {
	f := newFixture(t)
	endpoint, lists := eventsBlocker(t)
	d, rec := startDiscovery(t, f.config(endpoint, "1s", ""), Options{})

	// Wait for the first list, so the container below can only be found by a re-list.
	waitFor(t, "the first list", func() bool { return lists() >= 1 })
	listsBefore := lists()
	f.run(t, "shop-1", dockertest.ContainerSpec{})
	waitForMembers(t, rec, 10*time.Second, "a container started while events are blocked", f.prefix+"1")
	if lists() <= listsBefore {
		t.Errorf("the member was found without a re-list (%d lists before, %d after)", listsBefore, lists())
	}

	st, ok := d.Status("app")
	if !ok || len(st.Endpoints) != 1 {
		t.Fatalf("Status(app) = %+v, %v", st, ok)
	}
	ep := st.Endpoints[0]
	if !ep.Reachable || ep.EventsConnected || ep.LastList.IsZero() || ep.Members != 1 || st.Members != 1 || ep.LastError != "" {
		t.Errorf("endpoint status = %+v, want reachable, events not connected, listed, 1 member", ep)
	}
}

func TestDockerDiscoveryPublishedPortWhenNetworkUnreachable(t *testing.T) {
	f := newFixture(t)
	// Mixed deployment: pretend the WAF has no interface on the containers' network.
	unreachable := func(docker.Endpoint, net.IP) bool { return false }
	_, rec := startDiscovery(t, f.config(f.engine.Endpoint, "1h", ""), Options{Reachable: unreachable})

	f.run(t, "shop-published", dockertest.ContainerSpec{PublishLoopback: true})
	f.run(t, "shop-unpublished", dockertest.ContainerSpec{})
	waitForMembers(t, rec, 5*time.Second, "only the container with a published port", f.prefix+"published")

	m := rec.get("app")[0]
	host, _, err := net.SplitHostPort(m.Address)
	if err != nil || host != "127.0.0.1" || m.Via != "published port" {
		t.Fatalf("member = %+v, want the port published on 127.0.0.1", m)
	}
	if got := askBackend(t, m.Address); got != m.Container {
		t.Errorf("GET %s answered %q, want %q", m.Address, got, m.Container)
	}
}

func TestDockerDiscoveryNamedNetwork(t *testing.T) {
	f := newFixture(t)
	network := "rampart-test-" + f.engine.RunID
	f.engine.CreateNetwork(t, network)
	_, rec := startDiscovery(t, f.config(f.engine.Endpoint, "1h", network), Options{})

	f.run(t, "shop-on-net", dockertest.ContainerSpec{Network: network})
	f.run(t, "shop-on-bridge", dockertest.ContainerSpec{}) // not on the network, nothing published
	waitForMembers(t, rec, 5*time.Second, "only the container on the named network", f.prefix+"on-net")
	m := rec.get("app")[0]
	if m.Via != "network "+network {
		t.Errorf("member via %q, want network %s", m.Via, network)
	}
	if got := askBackend(t, m.Address); got != m.Container {
		t.Errorf("GET %s answered %q, want %q", m.Address, got, m.Container)
	}
}

func TestDockerDiscoveryImageTagMoved(t *testing.T) {
	f := newFixture(t)
	old := f.run(t, "shop-old", dockertest.ContainerSpec{})
	// Rebuild the tag with other content: the running container's image loses the tag, and
	// the engine reports it by ID.
	f.engine.BuildBackend(t, f.repo+":v1", "v1 rebuilt")
	list, err := f.engine.Client.ListContainers(context.Background(), map[string][]string{"id": {old}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list the old container: %v, %d found", err, len(list))
	}
	if !looksLikeImageID(list[0].Image) {
		t.Logf("this engine still reports the image as %q; the ID path is covered by the fixtures", list[0].Image)
	}
	f.run(t, "shop-new", dockertest.ContainerSpec{})
	_, rec := startDiscovery(t, f.config(f.engine.Endpoint, "1h", ""), Options{})
	waitForMembers(t, rec, 5*time.Second, "containers of the old and the new image", f.prefix+"old", f.prefix+"new")
}

func TestDockerDiscoveryUnreachableEngine(t *testing.T) {
	// A unix socket nobody listens on: the pool stays empty and the status says why.
	endpoint := "unix://" + t.TempDir() + "/docker.sock"
	cfg := (&fixture{repo: "rampart-test/none", prefix: "none"}).config(endpoint, "1s", "")
	d, rec := startDiscovery(t, cfg, Options{})
	waitFor(t, "the list error in the status", func() bool {
		st, _ := d.Status("app")
		return st.Endpoints[0].LastError != ""
	})
	st, _ := d.Status("app")
	if st.Endpoints[0].Reachable || !strings.Contains(st.Endpoints[0].LastError, "docker.sock") {
		t.Errorf("endpoint status = %+v, want unreachable with an error naming the socket", st.Endpoints[0])
	}
	if got := rec.containers("app"); len(got) != 0 {
		t.Errorf("members = %v, want none", got)
	}
}

// waitFor polls cond, bounded in time, for state that changes on its own schedule.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ExampleNormalizeImage() {
	fmt.Println(NormalizeImage("httpd:2.4"))
	fmt.Println(NormalizeImage("registry.example.com:5000/team/app:1"))
	// Output:
	// docker.io/library/httpd
	// registry.example.com:5000/team/app
}
