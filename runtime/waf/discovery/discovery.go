// Package discovery keeps the members of docker_discovery server pools in step with the
// running containers of one or more Docker engines.
//
// A member is a running container whose image repository equals the pool's image filter
// (tag and digest ignored, names normalised as Docker does: httpd, docker.io/httpd and
// docker.io/library/httpd are one repository) and whose name contains name_contains. Its
// address is its IP on the chosen network plus the pool's port, or, when the WAF cannot
// reach that network (ReachableByInterface), the host port the engine publishes it on.
//
// Each pool has a watcher: a full list at start, a re-list of an engine ~100 ms after a
// container event on it (start, die, stop, health_status, ...), and a re-list of every
// engine each refresh_interval (default 15 s) so that a missed event heals. Every change of
// the member set is handed to an apply function (the WAF calls upstream.Pool.SetMembers).
package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// EnvDockerdURLs overrides docker_api.endpoints (comma separated), as in the original appliance.
const EnvDockerdURLs = "WAF_DOCKERD_URLS"

// DefaultDebounce is how long a watcher gathers events before re-listing an engine.
const DefaultDebounce = 100 * time.Millisecond

// Options tune discovery; the zero value is production behaviour.
type Options struct {
	Logger *slog.Logger
	// Getenv reads WAF_DOCKERD_URLS; default os.Getenv.
	Getenv   func(string) string
	Debounce time.Duration
	Backoff  docker.Backoff
	// Reachable decides between container IP and published port; default ReachableByInterface.
	Reachable Reachable
	// Previous is the discovery of the configuration being replaced: a pool whose filter is
	// unchanged starts with the members it had, so a reload never empties a pool while the
	// first list is under way.
	Previous *Discovery
}

// Discovery runs the watchers of one loaded configuration. A nil *Discovery (no dynamic
// pool) is valid: Start, Stop and Status do nothing.
type Discovery struct {
	watchers []*poolWatcher
	clients  []*docker.Client

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New prepares discovery for every docker_discovery pool of cfg, without contacting any
// engine: bad endpoints or TLS material are errors here, so a bad configuration is refused
// before it is swapped in. apply receives each new member set of a pool; it is called
// from New itself for pools seeded from opts.Previous.
func New(cfg *config.Config, apply func(pool string, members []Member), opts Options) (*Discovery, error) {
	var dynamic []config.Pool
	for _, p := range cfg.Pools {
		if p.DockerDiscovery != nil {
			dynamic = append(dynamic, p)
		}
	}
	if len(dynamic) == 0 {
		return nil, nil
	}
	if opts.Logger == nil {
		opts.Logger = logging.Discard()
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Reachable == nil {
		opts.Reachable = ReachableByInterface
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	clientOpts := docker.Options{}
	if api := cfg.DockerAPI; api != nil {
		clientOpts.TLS = docker.TLSMaterial{CA: api.CA, Certificate: api.Certificate, PrivateKey: api.PrivateKey}
	}
	d := &Discovery{}
	for _, endpoint := range Endpoints(cfg.DockerAPI, opts.Getenv) {
		c, err := docker.NewClient(endpoint, clientOpts)
		if err != nil {
			return nil, fmt.Errorf("docker_api: %w", err)
		}
		d.clients = append(d.clients, c)
	}
	for _, p := range dynamic {
		refresh, err := RefreshInterval(p.DockerDiscovery)
		if err != nil {
			return nil, fmt.Errorf("server_pool %q: %w", p.Name, err)
		}
		w := &poolWatcher{
			pool: p.Name,
			target: Target{
				Image:        NormalizeImage(p.DockerDiscovery.Image),
				NameContains: p.DockerDiscovery.NameContains,
				Port:         p.Port,
				Network:      p.DockerDiscovery.Network,
			},
			refresh:   refresh,
			debounce:  opts.Debounce,
			backoff:   opts.Backoff,
			reachable: opts.Reachable,
			apply:     apply,
			logger:    opts.Logger,
			wake:      make(chan struct{}, 1),
		}
		for _, c := range d.clients {
			w.engines = append(w.engines, &engineWatch{
				client:      c,
				status:      EndpointStatus{Endpoint: c.Endpoint().URL},
				createdFrom: map[string]string{},
			})
		}
		if seed := opts.Previous.watcher(p.Name); seed != nil && seed.target == w.target && seed.sameEndpoints(w) {
			w.seed(seed)
		}
		d.watchers = append(d.watchers, w)
	}
	return d, nil
}

// Endpoints are the Docker endpoints to query: WAF_DOCKERD_URLS when set (comma
// separated), else docker_api.endpoints, else the local socket.
func Endpoints(api *config.DockerAPI, getenv func(string) string) []string {
	var endpoints []string
	for _, e := range strings.Split(getenv(EnvDockerdURLs), ",") {
		if e = strings.TrimSpace(e); e != "" {
			endpoints = append(endpoints, e)
		}
	}
	if len(endpoints) == 0 && api != nil {
		endpoints = append(endpoints, api.Endpoints...)
	}
	if len(endpoints) == 0 {
		endpoints = []string{config.DefaultDockerEndpoint}
	}
	return endpoints
}

// RefreshInterval is how often a pool re-lists without events (default 15 s).
func RefreshInterval(d *config.DockerDiscovery) (time.Duration, error) {
	text := d.RefreshInterval
	if text == "" {
		text = config.DefaultRefreshInterval
	}
	v, err := time.ParseDuration(text)
	if err != nil || v < time.Second {
		return 0, fmt.Errorf("docker_discovery.refresh_interval %q is not a duration of at least 1s", d.RefreshInterval)
	}
	return v, nil
}

// Start runs the watchers in the background. Calling it twice does nothing more.
func (d *Discovery) Start() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan struct{})
	go func() {
		defer close(d.done)
		var wg sync.WaitGroup
		for _, w := range d.watchers {
			wg.Go(func() { w.run(ctx) })
		}
		wg.Wait()
	}()
}

// Stop ends the watchers and waits for them; pools keep their last members.
func (d *Discovery) Stop() {
	if d == nil {
		return
	}
	d.mu.Lock()
	cancel, done := d.cancel, d.done
	d.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	for _, c := range d.clients {
		c.Close()
	}
}

// Status is the discovery state of a dynamic pool; false when the pool is not dynamic.
func (d *Discovery) Status(pool string) (PoolStatus, bool) {
	w := d.watcher(pool)
	if w == nil {
		return PoolStatus{}, false
	}
	return w.status(), true
}

// Members is the member set last applied to a dynamic pool.
func (d *Discovery) Members(pool string) []Member {
	w := d.watcher(pool)
	if w == nil {
		return nil
	}
	return w.members()
}

func (d *Discovery) watcher(pool string) *poolWatcher {
	if d == nil {
		return nil
	}
	for _, w := range d.watchers {
		if w.pool == pool {
			return w
		}
	}
	return nil
}

func (w *poolWatcher) sameEndpoints(other *poolWatcher) bool {
	if len(w.engines) != len(other.engines) {
		return false
	}
	for i := range w.engines {
		if w.engines[i].client.Endpoint() != other.engines[i].client.Endpoint() {
			return false
		}
	}
	return true
}

// seed takes over the members a previous watcher of the same pool found and applies them
// without logging them as new: they are the same containers.
func (w *poolWatcher) seed(prev *poolWatcher) {
	prev.mu.Lock()
	for i, e := range prev.engines {
		w.engines[i].members = e.members
	}
	lastChange := prev.lastChange
	prev.mu.Unlock()
	w.mu.Lock()
	w.applied = w.merged()
	w.lastChange = lastChange
	members := slices.Clone(w.applied)
	w.mu.Unlock()
	if len(members) > 0 {
		w.apply(w.pool, members)
	}
}
