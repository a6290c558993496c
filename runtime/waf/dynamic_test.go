package waf_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/dockertest"
)

// TestDockerDiscoveredPool runs the real WAF in front of containers of the real Docker
// engine (RAMPART_SKIP_DOCKER=1 skips it): the pool holds exactly the matching running
// containers, requests are spread across them, a stopped one leaves, and a reload keeps
// the members found. Traffic goes only to the containers this test started.
func TestDockerDiscoveredPool(t *testing.T) {
	e := dockertest.Connect(t)
	t.Setenv("WAF_DOCKERD_URLS", "") // the test's engine, whatever the environment says
	repo := "rampart-test/waf-backend-" + e.RunID
	e.BuildBackend(t, repo+":v1", "waf")
	shop1, shop2 := "shop-"+e.RunID+"-1", "shop-"+e.RunID+"-2"
	first := e.RunContainer(t, dockertest.ContainerSpec{Name: shop1, Image: repo + ":v1"})
	e.RunContainer(t, dockertest.ContainerSpec{Name: shop2, Image: repo + ":v1"})
	e.RunContainer(t, dockertest.ContainerSpec{Name: "other-" + e.RunID, Image: repo + ":v1"})

	cfg := config.Config{
		DockerAPI: &config.DockerAPI{Endpoints: []string{e.Endpoint}},
		Pools: []config.Pool{{
			Name: "app",
			Port: dockertest.BackendPort,
			DockerDiscovery: &config.DockerDiscovery{
				Image:        "docker.io/" + repo, // created as repo:v1: the same repository
				NameContains: "shop-" + e.RunID,
			},
		}},
		Sites: []config.Site{{Name: "main", Pool: "app", Policy: &config.Policy{Mode: "off"}}},
	}
	w := startWAF(t, cfg)
	discovered := func(n int) func() bool {
		return func() bool {
			st, ok := w.DiscoveryStatus("app")
			return ok && st.Members == n
		}
	}
	waitFor(t, "two discovered members", discovered(2))

	counts := dockerSpread(t, w, 200)
	if len(counts) != 2 || counts[shop1] < 60 || counts[shop2] < 60 {
		t.Fatalf("200 requests were answered by %v; want both matching containers, each at least 60 times, and nothing else", counts)
	}

	st, _ := w.DiscoveryStatus("app")
	if len(st.Endpoints) != 1 || !st.Endpoints[0].Reachable || st.Endpoints[0].LastList.IsZero() {
		t.Errorf("discovery status = %+v, want the engine reachable and listed", st)
	}

	// A reload keeps the discovered members: not one request meets an empty pool.
	writeConfig(t, w.configPath, cfg)
	if err := w.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if resp := w.get(t, "", "/"); resp.status != http.StatusOK {
		t.Fatalf("right after a reload: %d %q, want 200 from a discovered member", resp.status, resp.body)
	}

	e.Stop(t, first)
	waitFor(t, "the stopped container to leave the pool", discovered(1))
	if counts := dockerSpread(t, w, 20); len(counts) != 1 || counts[shop2] != 20 {
		t.Errorf("after stopping %s, 20 requests were answered by %v; want all by %s", shop1, counts, shop2)
	}
}

// dockerSpread sends n GETs through the WAF and counts the answering containers.
func dockerSpread(t *testing.T, w *testWAF, n int) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for range n {
		resp, err := client.Get(w.url + "/")
		if err != nil {
			t.Fatalf("GET through the WAF: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET through the WAF: %d %q", resp.StatusCode, body)
		}
		counts[string(body)]++
	}
	return counts
}
