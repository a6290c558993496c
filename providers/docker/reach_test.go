package docker

import (
	"errors"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
)

func TestEngineIsLocal(t *testing.T) {
	for host, want := range map[string]bool{
		"unix:///var/run/docker.sock": true,
		"tcp://127.0.0.1:2375":        true,
		"tcp://localhost:2375":        true,
		"tcp://[::1]:2375":            true,
		"tcp://10.0.0.5:2376":         false,
		"tcp://docker.example:2376":   false,
	} {
		if got := engineIsLocal(host); got != want {
			t.Errorf("engineIsLocal(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestPublishedAdmin(t *testing.T) {
	const engine = "tcp://10.0.0.5:2376"
	tests := []struct {
		name     string
		bindings []nat.PortBinding
		want     string
		noRoute  bool
	}{
		{name: "all addresses: the engine's host", bindings: []nat.PortBinding{{HostIP: "0.0.0.0", HostPort: "19901"}}, want: "10.0.0.5:19901"},
		{name: "no host address: the engine's host", bindings: []nat.PortBinding{{HostPort: "19901"}}, want: "10.0.0.5:19901"},
		{name: "a specific address", bindings: []nat.PortBinding{{HostIP: "192.0.2.7", HostPort: "19901"}}, want: "192.0.2.7:19901"},
		{name: "random port not bound yet is skipped", bindings: []nat.PortBinding{{HostIP: "0.0.0.0"}, {HostIP: "0.0.0.0", HostPort: "19902"}}, want: "10.0.0.5:19902"},
		{name: "loopback of a remote host", bindings: []nat.PortBinding{{HostIP: "127.0.0.1", HostPort: "19901"}}, noRoute: true},
		{name: "not published", noRoute: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := publishedAdmin(engine, "9901", tc.bindings)
			if tc.noRoute {
				if !errors.Is(err, errNoAdminRoute) {
					t.Fatalf("publishedAdmin = %q, %v; want errNoAdminRoute", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("publishedAdmin = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// listedContainer is a /containers/json entry: on network "front" (10.30.0.5) and
// the default bridge, with the admin port 9901 published on all addresses (IPv4 and IPv6
// entries, as the engine lists them) and the traffic port on loopback.
func listedContainer() container.Summary {
	c := container.Summary{ID: "0123456789abcdef", Ports: []container.Port{
		{IP: "0.0.0.0", PrivatePort: 9901, PublicPort: 19901, Type: "tcp"},
		{IP: "::", PrivatePort: 9901, PublicPort: 19901, Type: "tcp"},
		{IP: "127.0.0.1", PrivatePort: 8080, PublicPort: 18080, Type: "tcp"},
		{PrivatePort: 9901, PublicPort: 29901, Type: "udp"},
	}}
	c.HostConfig.NetworkMode = "front"
	c.NetworkSettings = &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{
		"bridge": {IPAddress: "172.17.0.9"},
		"front":  {IPAddress: "10.30.0.5"},
	}}
	return c
}

func TestAdminReachListed(t *testing.T) {
	rendered, diags := runtimes.Render(mustKind(t), wafRuntime(8080, "shop.example")) // admin on 0.0.0.0:9901
	mustNoErrors(t, diags)
	cfg := rendered.Parsed
	noNetwork := listedContainer()
	noNetwork.NetworkSettings = nil
	tests := []struct {
		name    string
		host    string
		listed  container.Summary
		stateIP string
		want    string
		noRoute bool
	}{
		{name: "local: the network it was created on", host: "unix:///var/run/docker.sock", listed: listedContainer(), want: "10.30.0.5:9901"},
		{name: "local: the address in state while the container has it", host: "unix:///var/run/docker.sock", listed: listedContainer(), stateIP: "172.17.0.9", want: "172.17.0.9:9901"},
		{name: "local: a stale address in state is ignored", host: "tcp://127.0.0.1:2375", listed: listedContainer(), stateIP: "10.99.0.1", want: "10.30.0.5:9901"},
		{name: "local: no address", host: "unix:///var/run/docker.sock", listed: noNetwork, noRoute: true},
		{name: "remote: the published admin port", host: "tcp://10.0.0.5:2376", listed: listedContainer(), stateIP: "10.30.0.5", want: "10.0.0.5:19901"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlacement()
			p.engine.host = tc.host
			got, err := p.adminReachListed(tc.listed, tc.stateIP, cfg)
			if tc.noRoute {
				if !errors.Is(err, errNoAdminRoute) {
					t.Fatalf("adminReachListed = %q, %v; want errNoAdminRoute", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("adminReachListed = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestListedBindings(t *testing.T) {
	got := listedBindings(listedContainer(), "9901")
	want := []nat.PortBinding{{HostIP: "0.0.0.0", HostPort: "19901"}, {HostIP: "::", HostPort: "19901"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("listedBindings = %+v, want %+v (tcp only)", got, want)
	}
}

// A remote engine whose admin port is not published: the health comes from Docker's own
// health check, and nothing else is claimed.
func TestRuntimeViewFallsBackToDockerHealth(t *testing.T) {
	p := newPlacement()
	p.engine.host = "tcp://10.0.0.5:2376"
	listed := listedContainer()
	listed.Ports = nil
	listed.Status = "Up 3 minutes (healthy)"
	inst := protocol.Instance{Address: "waf.shop", Kind: "waf", Lineage: "l"}
	reach := func(cfg appliance.Config) (string, error) { return p.adminReachListed(listed, "", cfg) }
	view, _ := p.runtimeView(t.Context(), inst, wafRuntime(8080, "shop.example"), reach, dockerHealth(listed.Status))
	if view.Health != healthHealthy || view.Components != nil || view.Facts != nil {
		t.Fatalf("runtimeView = %+v; want healthy from Docker's health check, no parts or figures", view)
	}
}

func TestPublishedService(t *testing.T) {
	listed := listedContainer() // 8080 on 127.0.0.1:18080, 9901 on all addresses as 19901
	tests := []struct{ engine, service, want string }{
		{"unix:///var/run/docker.sock", "http://0.0.0.0:8080", "http://127.0.0.1:18080"},
		{"unix:///var/run/docker.sock", "0.0.0.0:9901", "127.0.0.1:19901"},
		{"tcp://10.0.0.5:2376", "0.0.0.0:9901", "10.0.0.5:19901"},
		{"unix:///var/run/docker.sock", "https://0.0.0.0:8443", ""},
	}
	for _, tc := range tests {
		if got := publishedService(tc.engine, listed, tc.service); got != tc.want {
			t.Errorf("publishedService(%s, %s) = %q, want %q", tc.engine, tc.service, got, tc.want)
		}
	}
}

func TestDockerHealth(t *testing.T) {
	for status, want := range map[string]string{
		"Up 3 minutes (healthy)":          healthHealthy,
		"Up 3 minutes (unhealthy)":        healthUnhealthy,
		"Up 2 seconds (health: starting)": healthUnknown,
		"Up 3 minutes":                    healthUnknown,
	} {
		if got := dockerHealth(status); got != want {
			t.Errorf("dockerHealth(%q) = %s, want %s", status, got, want)
		}
	}
}
