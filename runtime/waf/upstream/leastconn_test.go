package upstream

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestLeastConnIdleTiesGoRoundRobin(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "leastconn", Members: []config.Member{
		{Address: "a:1", Weight: 3}, {Address: "b:1", Weight: 1},
	}})
	want := []string{"a:1", "a:1", "b:1", "a:1", "a:1", "a:1", "b:1", "a:1"}
	if got := pickSequence(p, len(want)); !slices.Equal(got, want) {
		t.Errorf("idle picks = %v, want the weighted round-robin order %v", got, want)
	}
}

func TestLeastConnWeighsInFlight(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "leastconn", Members: []config.Member{
		{Address: "a:1", Weight: 2}, {Address: "b:1", Weight: 1},
	}})
	a, b := p.Members()[0], p.Members()[1]
	a.b.inFlight.Store(3) // 1.5 per unit of weight
	b.b.inFlight.Store(1) // 1 per unit of weight
	if got := pickSequence(p, 3); !slices.Equal(got, []string{"b:1", "b:1", "b:1"}) {
		t.Errorf("picks = %v, want b (lower load per weight)", got)
	}
	b.b.inFlight.Store(2) // 2 per unit of weight
	if m := p.Pick(requestFrom("192.0.2.1")); m != a {
		t.Errorf("pick = %s, want a:1 (1.5 per weight against 2)", m.Address)
	}
}

// TestLeastConnPrefersIdleMember holds one request on a slow member; while it is in
// flight, every other request goes to the idle member.
func TestLeastConnPrefersIdleMember(t *testing.T) {
	slow, fast := startBackend(t, "slow"), startBackend(t, "fast")
	entered, release := make(chan struct{}, 16), make(chan struct{})
	slow.handler.Store(func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-release
		w.Write([]byte("slow"))
	})
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "leastconn", Members: members(slow.address(), fast.address())})
	front := startFront(t, p)
	client := &http.Client{}

	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(release)
		wg.Wait()
	})
	// Send requests one at a time until one is held by the slow member (the second at the
	// latest: ties go round-robin); the fast member answers the others at once.
	held := false
	for i := int64(0); i < 4 && !held; i++ {
		wg.Go(func() {
			if got, err := try(client, http.MethodGet, front, nil); err != nil || got.body != "slow" && got.body != "fast" {
				t.Errorf("request: %+v, %v", got, err)
			}
		})
		waitFor(t, "the request to be answered or held", func() bool {
			return len(entered) > 0 || fast.served.Load() > i
		})
		held = len(entered) > 0
	}
	if !held {
		t.Fatal("no request reached the slow member")
	}
	for range 20 {
		if got := send(t, client, http.MethodGet, front, nil); got.body != "fast" {
			t.Fatalf("with the slow member busy, a request went to %q", got.body)
		}
	}
}
