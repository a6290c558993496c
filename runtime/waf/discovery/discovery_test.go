package discovery

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestEndpoints(t *testing.T) {
	api := &config.DockerAPI{Endpoints: []string{"tcp://10.0.0.5:2376"}}
	tests := []struct {
		name string
		api  *config.DockerAPI
		env  string
		want []string
	}{
		{"default socket", nil, "", []string{"unix:///var/run/docker.sock"}},
		{"from config", api, "", []string{"tcp://10.0.0.5:2376"}},
		{"environment overrides config", api, " unix:///run/a.sock , tcp://10.0.0.6:2375,", []string{"unix:///run/a.sock", "tcp://10.0.0.6:2375"}},
		{"blank environment is unset", api, " , ", []string{"tcp://10.0.0.5:2376"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(key string) string {
				if key == EnvDockerdURLs {
					return tt.env
				}
				return ""
			}
			if got := Endpoints(tt.api, getenv); !slices.Equal(got, tt.want) {
				t.Errorf("Endpoints = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRefreshIntervalDefaultsTo15s(t *testing.T) {
	got, err := RefreshInterval(&config.DockerDiscovery{Image: "httpd"})
	if err != nil || got != 15*time.Second {
		t.Fatalf("default refresh interval = %v, %v; want 15s", got, err)
	}
	if got, _ := RefreshInterval(&config.DockerDiscovery{RefreshInterval: "2s"}); got != 2*time.Second {
		t.Errorf("refresh_interval 2s = %v", got)
	}
	for _, bad := range []string{"soon", "500ms", "-1s"} {
		if _, err := RefreshInterval(&config.DockerDiscovery{RefreshInterval: bad}); err == nil {
			t.Errorf("refresh_interval %q accepted", bad)
		}
	}
}

func dynamicConfig(endpoints ...string) *config.Config {
	return &config.Config{
		DockerAPI: &config.DockerAPI{Endpoints: endpoints},
		Pools: []config.Pool{
			{Name: "static", Members: []config.Member{{Address: "127.0.0.1:1", Weight: 1}}},
			{Name: "app", Port: 80, DockerDiscovery: &config.DockerDiscovery{Image: "httpd", NameContains: "shop"}},
		},
	}
}

func noEnv(string) string { return "" }

func TestNewRefusesBadEndpointsBeforeServing(t *testing.T) {
	tests := []struct {
		name   string
		cfg    *config.Config
		env    string
		inErr  string
		wantOK bool
	}{
		{name: "good", cfg: dynamicConfig("unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"), wantOK: true},
		{name: "bad scheme from the environment", cfg: dynamicConfig(), env: "http://10.0.0.5:2375", inErr: "tcp://host:port"},
		{name: "tcp without host", cfg: dynamicConfig("tcp://:2375"), inErr: "name the host"},
		{name: "certificate without key", cfg: func() *config.Config {
			c := dynamicConfig("tcp://10.0.0.5:2376")
			c.DockerAPI.Certificate = "-----BEGIN CERTIFICATE-----"
			return c
		}(), inErr: "both certificate and private_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(string) string { return tt.env }
			d, err := New(tt.cfg, func(string, []Member) {}, Options{Getenv: getenv})
			if tt.wantOK {
				if err != nil || d == nil {
					t.Fatalf("New = %v, %v", d, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.inErr) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.inErr)
			}
		})
	}
}

func TestNewWithoutDynamicPoolsIsNil(t *testing.T) {
	cfg := &config.Config{Pools: []config.Pool{{Name: "static"}}}
	d, err := New(cfg, nil, Options{Getenv: noEnv})
	if err != nil || d != nil {
		t.Fatalf("New = %v, %v; want nil, nil", d, err)
	}
	// A nil Discovery is usable.
	d.Start()
	d.Stop()
	if _, ok := d.Status("static"); ok {
		t.Error("a static pool has a discovery status")
	}
}

func TestNewSeedsUnchangedPoolsFromPrevious(t *testing.T) {
	cfg := dynamicConfig("unix:///var/run/docker.sock")
	prev, err := New(cfg, func(string, []Member) {}, Options{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	found := []Member{{Address: "172.17.0.2:80", Container: "shop-1", Endpoint: "unix:///var/run/docker.sock", Via: "network bridge"}}
	w := prev.watcher("app")
	w.engines[0].members = found
	w.publish()

	var applied []Member
	next, err := New(cfg, func(pool string, m []Member) { applied = m }, Options{Getenv: noEnv, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, found) || !slices.Equal(next.Members("app"), found) {
		t.Errorf("seeded members = %v (pool state %v), want %v", applied, next.Members("app"), found)
	}

	// A changed filter starts empty: the old members may not match it.
	changed := dynamicConfig("unix:///var/run/docker.sock")
	changed.Pools[1].DockerDiscovery.NameContains = "other"
	applied = nil
	if _, err := New(changed, func(pool string, m []Member) { applied = m }, Options{Getenv: noEnv, Previous: prev}); err != nil {
		t.Fatal(err)
	}
	if applied != nil {
		t.Errorf("a pool with a changed filter was seeded with %v", applied)
	}
}
