package discovery

import (
	"encoding/json"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// loadFixture reads testdata/containers.json: a recorded GET /containers/json answer (see
// its "note" for the few hand edits).
func loadFixture(t testing.TB) []docker.Container {
	t.Helper()
	data, err := os.ReadFile("testdata/containers.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Containers []docker.Container `json:"containers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return doc.Containers
}

func mustEndpoint(t testing.TB, raw string) docker.Endpoint {
	t.Helper()
	ep, err := docker.ParseEndpoint(raw, false)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func always(docker.Endpoint, net.IP) bool { return true }
func never(docker.Endpoint, net.IP) bool  { return false }

func TestSelectMembers(t *testing.T) {
	containers := loadFixture(t)
	// shop-by-id was listed by image ID; the watcher resolves it to these names.
	resolved := map[string][]string{"de7c6433f3eae151abb0975b454c187bbd129fc26d7aa50794af2ee58817761b": {"rampart-test/backend:v1"}}
	target := Target{Image: NormalizeImage("rampart-test/backend"), NameContains: "shop", Port: 8080}

	tests := []struct {
		name        string
		endpoint    string
		network     string
		reachable   Reachable
		imageNames  map[string][]string
		want        map[string]string // container → address
		wantSkipped []string
	}{
		{
			name:       "WAF on the Docker host: container IPs on the only or first network",
			endpoint:   "unix:///var/run/docker.sock",
			reachable:  always,
			imageNames: resolved,
			want: map[string]string{
				"shop-1":       "172.17.0.2:8080", // bridge sorts before rampart-fixture-net
				"shop-2":       "172.20.0.2:8080",
				"shop-by-id":   "172.17.0.5:8080",
				"shop-healthy": "172.17.0.10:8080",
				"shop-host":    "127.0.0.1:8080",
			},
			wantSkipped: []string{"shop-none"},
		},
		{
			name:       "named network",
			endpoint:   "unix:///var/run/docker.sock",
			network:    "rampart-fixture-net",
			reachable:  always,
			imageNames: resolved,
			want: map[string]string{
				"shop-1":    "172.20.0.3:8080",
				"shop-2":    "172.20.0.2:8080",
				"shop-host": "127.0.0.1:8080",
			},
			wantSkipped: []string{"shop-by-id", "shop-healthy", "shop-none"},
		},
		{
			name:       "mixed deployment: remote engine, published port on the engine's host",
			endpoint:   "tcp://10.0.0.5:2376",
			reachable:  never,
			imageNames: resolved,
			want: map[string]string{
				"shop-1":    "10.0.0.5:32770", // 0.0.0.0 → the endpoint's host; IPv4 before ::
				"shop-host": "10.0.0.5:8080",
			},
			wantSkipped: []string{"shop-2", "shop-by-id", "shop-healthy", "shop-none"},
		},
		{
			name:      "an image ID that could not be resolved is not a member",
			endpoint:  "unix:///var/run/docker.sock",
			reachable: always,
			want: map[string]string{
				"shop-1":       "172.17.0.2:8080",
				"shop-2":       "172.20.0.2:8080",
				"shop-healthy": "172.17.0.10:8080",
				"shop-host":    "127.0.0.1:8080",
			},
			wantSkipped: []string{"shop-none"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := target
			tg.Network = tt.network
			list := engineList{Endpoint: mustEndpoint(t, tt.endpoint), Containers: containers, ImageNames: tt.imageNames}
			members, skipped := selectMembers(tg, list, tt.reachable)
			got := map[string]string{}
			for _, m := range members {
				got[m.Container] = m.Address
				if m.Endpoint != tt.endpoint {
					t.Errorf("%s: endpoint %q, want %q", m.Container, m.Endpoint, tt.endpoint)
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("members = %v\nwant      %v", got, tt.want)
			}
			var skippedNames []string
			for _, s := range skipped {
				skippedNames = append(skippedNames, s.Container)
				if s.Reason == "" {
					t.Errorf("%s skipped without a reason", s.Container)
				}
			}
			slices.Sort(skippedNames)
			if !slices.Equal(skippedNames, tt.wantSkipped) {
				t.Errorf("skipped = %v, want %v", skippedNames, tt.wantSkipped)
			}
			if !slices.IsSortedFunc(members, func(a, b Member) int { return strings.Compare(a.Address, b.Address) }) {
				t.Error("members are not sorted by address")
			}
		})
	}
}

func TestSelectMembersNameFilter(t *testing.T) {
	containers := loadFixture(t)
	target := Target{Image: NormalizeImage("docker.io/rampart-test/backend:other-tag"), NameContains: "other", Port: 8080}
	list := engineList{Endpoint: mustEndpoint(t, "unix:///var/run/docker.sock"), Containers: containers}
	members, _ := selectMembers(target, list, always)
	if len(members) != 1 || members[0].Container != "other-1" || members[0].Via != "network bridge" {
		t.Errorf("members = %+v, want only other-1 on the bridge", members)
	}
	target.Image = NormalizeImage("httpd")
	if members, _ := selectMembers(target, list, always); len(members) != 0 {
		t.Errorf("another image matched: %+v", members)
	}
}

func TestPublishedPortLoopbackOfRemoteEngine(t *testing.T) {
	c := docker.Container{Ports: []docker.Port{{IP: "127.0.0.1", PrivatePort: 80, PublicPort: 49153, Type: "tcp"}}}
	if _, _, ok := publishedPort(c, 80, mustEndpoint(t, "tcp://10.0.0.5:2375")); ok {
		t.Error("a port published on the remote engine's loopback was used")
	}
	host, port, ok := publishedPort(c, 80, mustEndpoint(t, "unix:///var/run/docker.sock"))
	if !ok || host != "127.0.0.1" || port != 49153 {
		t.Errorf("local engine: %s:%d %v, want 127.0.0.1:49153", host, port, ok)
	}
	udp := docker.Container{Ports: []docker.Port{{IP: "0.0.0.0", PrivatePort: 80, PublicPort: 49154, Type: "udp"}}}
	if _, _, ok := publishedPort(udp, 80, mustEndpoint(t, "unix:///var/run/docker.sock")); ok {
		t.Error("a UDP port was used for HTTP")
	}
}

func TestReachableByInterface(t *testing.T) {
	remote := mustEndpoint(t, "tcp://192.0.2.200:2376")
	local := mustEndpoint(t, "unix:///var/run/docker.sock")
	if testNet := net.ParseIP("203.0.113.7"); !hasInterfaceFor(testNet) && ReachableByInterface(local, testNet) {
		t.Error("an address in no local subnet was judged reachable")
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() {
			continue
		}
		if !ReachableByInterface(local, n.IP) {
			t.Errorf("%s is on a local interface but was judged unreachable", n.IP)
		}
		if ReachableByInterface(remote, n.IP) {
			t.Errorf("%s judged reachable for a remote engine", n.IP)
		}
	}
}

func hasInterfaceFor(ip net.IP) bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.Contains(ip) {
			return true
		}
	}
	return false
}

func BenchmarkSelectMembers(b *testing.B) {
	containers := loadFixture(b)
	target := Target{Image: NormalizeImage("rampart-test/backend"), NameContains: "shop", Port: 8080}
	list := engineList{Endpoint: mustEndpoint(b, "unix:///var/run/docker.sock"), Containers: containers}
	for b.Loop() {
		selectMembers(target, list, always)
	}
}
