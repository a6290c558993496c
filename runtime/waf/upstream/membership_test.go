package upstream

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func memberLines(p *Pool) []string {
	var lines []string
	for _, m := range p.Members() {
		lines = append(lines, m.Source+" "+m.Address)
	}
	return lines
}

func TestSetMembersReplacesDynamicMembers(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", Members: members("s:1")})
	p.SetMembers([]MemberSpec{
		{Address: "b:1", Source: "docker:web-2"},
		{Address: "a:1", Source: "docker:web-1"},
		{Address: "not-an-address", Source: "docker:broken"},
		{Address: "a:1", Source: "docker:web-1", Weight: 5}, // duplicate: the first wins
	})
	if got, want := memberLines(p), []string{"static s:1", "docker:web-1 a:1", "docker:web-2 b:1"}; !slices.Equal(got, want) {
		t.Fatalf("members %v, want %v", got, want)
	}
	a := p.Members()[1]
	setUp(a, false)
	a.b.requests.Add(3)

	p.SetMembers([]MemberSpec{{Address: "a:1", Source: "docker:web-1", Weight: 4}, {Address: "c:1", Source: "docker:web-3"}})
	if got, want := memberLines(p), []string{"static s:1", "docker:web-1 a:1", "docker:web-3 c:1"}; !slices.Equal(got, want) {
		t.Fatalf("members %v, want %v", got, want)
	}
	kept, added := p.Members()[1], p.Members()[2]
	if kept.Up() || kept.Requests() != 3 || kept.Weight != 4 {
		t.Errorf("kept member: up=%v requests=%d weight=%d, want its DOWN state and 3 requests kept, weight 4", kept.Up(), kept.Requests(), kept.Weight)
	}
	if !added.Up() || !added.Dynamic() || p.Members()[0].Dynamic() {
		t.Error("a new member must start UP and be dynamic; the static one must not be")
	}
	// A new container at a known address is a new member with its own health.
	p.SetMembers([]MemberSpec{{Address: "a:1", Source: "docker:web-9"}})
	if m := p.Members()[1]; !m.Up() || m.Requests() != 0 {
		t.Errorf("a different container at a:1 inherited state: up=%v requests=%d", m.Up(), m.Requests())
	}
	p.SetMembers(nil)
	if got := memberLines(p); !slices.Equal(got, []string{"static s:1"}) {
		t.Errorf("after SetMembers(nil): %v, want only the static member", got)
	}
}

func TestReloadKeepsDiscoveredMembers(t *testing.T) {
	cfg := config.Pool{Name: "p", Port: 80, DockerDiscovery: &config.DockerDiscovery{Image: "httpd"}}
	old := newTestPool(t, cfg)
	old.SetMembers([]MemberSpec{{Address: "a:80", Source: "docker:web-1"}})
	setUp(old.Members()[0], false)

	next := newTestPool(t, cfg, PoolOptions{Previous: old})
	if got := memberLines(next); !slices.Equal(got, []string{"docker:web-1 a:80"}) {
		t.Fatalf("after reload: %v, want the discovered member", got)
	}
	if next.Members()[0].Up() {
		t.Error("the discovered member lost its DOWN state on reload")
	}
	cfg.DockerDiscovery = nil
	if got := memberLines(newTestPool(t, cfg, PoolOptions{Previous: old})); len(got) != 0 {
		t.Errorf("a pool that is no longer discovered kept %v", got)
	}
}

func TestSetMembersChecksNewMembersAtOnce(t *testing.T) {
	healthy, failing := startBackend(t, "healthy"), startBackend(t, "failing")
	failing.status.Store(http.StatusServiceUnavailable)
	p := newTestPool(t, config.Pool{Name: "p", HealthCheck: &config.HealthCheck{Interval: "1h", Fall: 3}})
	startChecks(t, p)

	p.SetMembers([]MemberSpec{{Address: healthy.address(), Source: "docker:a"}, {Address: failing.address(), Source: "docker:b"}})
	byAddress := func(address string) *Member {
		for _, m := range p.Members() {
			if m.Address == address {
				return m
			}
		}
		return nil
	}
	waitFor(t, "the new members' first checks", func() bool {
		return byAddress(healthy.address()).Health().Check != "" && byAddress(failing.address()).Health().Check != ""
	})
	if !byAddress(healthy.address()).Up() {
		t.Error("a new healthy member went DOWN")
	}
	// One failed check (not fall = 3) takes a member that never passed one DOWN.
	if h := byAddress(failing.address()).Health(); h.Status != StatusDown || h.Check != CheckL7STS || h.Code != 503 {
		t.Errorf("new failing member: %+v, want DOWN L7STS 503 after its first check", h)
	}
}

// TestRemovedMemberDrains removes a member while a slow request is in flight to it: the
// request completes, new requests go elsewhere, and the removed member's idle connections
// are closed afterwards while the others' stay open.
func TestRemovedMemberDrains(t *testing.T) {
	slow, fast := startBackend(t, "slow"), startBackend(t, "fast")
	entered, release := make(chan struct{}, 1), make(chan struct{})
	slow.handler.Store(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte("slow"))
	})
	p := newTestPool(t, config.Pool{Name: "p", Port: 80, DockerDiscovery: &config.DockerDiscovery{Image: "x"}})
	p.SetMembers([]MemberSpec{{Address: slow.address(), Source: "docker:slow"}})
	front := startFront(t, p)
	client := &http.Client{}
	send(t, client, http.MethodGet, front, nil) // leaves an idle connection to slow

	result := make(chan answer, 1)
	go func() {
		got, err := try(client, http.MethodGet, front+"/slow", nil)
		if err != nil {
			t.Error(err)
		}
		result <- got
	}()
	<-entered
	p.SetMembers([]MemberSpec{{Address: fast.address(), Source: "docker:fast"}})
	for range 3 {
		if got := send(t, client, http.MethodGet, front, nil); got.body != "fast" {
			t.Fatalf("after removal a request went to %q", got.body)
		}
	}
	close(release)
	if got := <-result; got.status != http.StatusOK || got.body != "slow" {
		t.Fatalf("in-flight request to the removed member: %d %q, want 200 slow", got.status, got.body)
	}
	waitFor(t, "the removed member's connections to close", func() bool { return slow.open.Load() == 0 })
	if fast.open.Load() == 0 {
		t.Error("the remaining member's idle connections were closed too")
	}
}

// TestSetMembersUnderLoad changes the membership continuously while clients send
// requests: not one request may fail.
func TestSetMembersUnderLoad(t *testing.T) {
	a, b, c := startBackend(t, "a"), startBackend(t, "b"), startBackend(t, "c")
	spec := func(bs ...*testBackend) []MemberSpec {
		var specs []MemberSpec
		for _, be := range bs {
			specs = append(specs, MemberSpec{Address: be.address(), Source: "docker:" + be.name})
		}
		return specs
	}
	sets := [][]MemberSpec{spec(a, b), spec(b, c), spec(a, c), spec(a, b, c), spec(c)}
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "leastconn", Port: 80, DockerDiscovery: &config.DockerDiscovery{Image: "x"}})
	p.SetMembers(sets[0])
	front := startFront(t, p)

	const workers, perWorker = 8, 60
	var failed, done atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			defer client.CloseIdleConnections()
			for range perWorker {
				if got, err := try(client, http.MethodGet, front, nil); err != nil || got.status != http.StatusOK {
					failed.Add(1)
					t.Errorf("request failed: %+v %v", got, err)
				}
				done.Add(1)
			}
		})
	}
	changes := 0
	for done.Load() < workers*perWorker && changes < 10_000 {
		p.SetMembers(sets[changes%len(sets)])
		changes++
		waitFor(t, "some requests between changes", func() bool {
			return done.Load() >= workers*perWorker || done.Load() > int64(changes)*2
		})
	}
	wg.Wait()
	if failed.Load() != 0 || changes < 5 {
		t.Errorf("%d of %d requests failed over %d membership changes", failed.Load(), workers*perWorker, changes)
	}
}

// TestStopReleasesMembersNotTakenOver: after a reload, stopping the old pool closes the
// idle connections of members the new configuration dropped, and only those.
func TestStopReleasesMembersNotTakenOver(t *testing.T) {
	kept, dropped := startBackend(t, "kept"), startBackend(t, "dropped")
	old := newTestPool(t, config.Pool{Name: "p", Members: members(kept.address(), dropped.address())})
	stopOld := old.StartHealthChecks(nil, nil)
	front := startFront(t, old)
	for range 2 {
		send(t, &http.Client{}, http.MethodGet, front, nil)
	}
	if kept.open.Load() == 0 || dropped.open.Load() == 0 {
		t.Fatal("no idle upstream connections to start with")
	}
	next := newTestPool(t, config.Pool{Name: "p", Members: members(kept.address())}, PoolOptions{Previous: old})
	t.Cleanup(next.StartHealthChecks(nil, nil))
	stopOld()
	waitFor(t, "the dropped member's connections to close", func() bool { return dropped.open.Load() == 0 })
	if kept.open.Load() == 0 {
		t.Error("the kept member's connections were closed")
	}
}
