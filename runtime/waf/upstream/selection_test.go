package upstream

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestRoundRobinWeighted(t *testing.T) {
	tests := []struct {
		name    string
		members []config.Member
		want    []string
	}{
		{
			name:    "equal weights alternate",
			members: []config.Member{{Address: "a:1", Weight: 1}, {Address: "b:1", Weight: 1}},
			want:    []string{"a:1", "b:1", "a:1", "b:1"},
		},
		{
			name:    "weights are interleaved, not bunched",
			members: []config.Member{{Address: "a:1", Weight: 3}, {Address: "b:1", Weight: 1}},
			want:    []string{"a:1", "a:1", "b:1", "a:1", "a:1", "a:1", "b:1", "a:1"},
		},
		{
			name:    "common divisor reduced",
			members: []config.Member{{Address: "a:1", Weight: 200}, {Address: "b:1", Weight: 100}},
			want:    []string{"a:1", "b:1", "a:1", "a:1", "b:1", "a:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, config.Pool{Name: "p", Members: tt.members})
			if got := pickSequence(p, len(tt.want)); !slices.Equal(got, tt.want) {
				t.Errorf("picks = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWeightedProportions checks every policy honours weights over many picks: exactly
// for roundrobin and for leastconn on an idle pool (ties go round-robin), within a
// tolerance for source over many client IPs.
func TestWeightedProportions(t *testing.T) {
	weights := map[string]int{"a:1": 5, "b:1": 3, "c:1": 2}
	cfg := config.Pool{Name: "p", Members: []config.Member{{Address: "a:1", Weight: 5}, {Address: "b:1", Weight: 3}, {Address: "c:1", Weight: 2}}}
	const picks = 10_000
	for _, policy := range []string{"roundrobin", "leastconn", "source"} {
		t.Run(policy, func(t *testing.T) {
			cfg.LoadBalancing = policy
			p := newTestPool(t, cfg)
			counts := map[string]int{}
			for i := range picks {
				r := requestFrom(ipOf(i))
				counts[p.Pick(r).Address]++
			}
			for address, w := range weights {
				want := picks * w / 10
				tolerance := 0
				if policy == "source" {
					tolerance = want / 10 // hashing is statistical: ±10%
				}
				if got := counts[address]; got < want-tolerance || got > want+tolerance {
					t.Errorf("%s got %d of %d picks, want %d ± %d (weight %d of 10)", address, got, picks, want, tolerance, w)
				}
			}
		})
	}
}

func TestSelectionSkipsDownMembers(t *testing.T) {
	for _, policy := range []string{"roundrobin", "leastconn", "source"} {
		t.Run(policy, func(t *testing.T) {
			p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: policy, Members: members("a:1", "b:1", "c:1")})
			setUp(p.Members()[1], false)
			for i := range 300 {
				if m := p.Pick(requestFrom(ipOf(i))); m == nil || m.Address == "b:1" {
					t.Fatalf("pick %d = %v, want an UP member", i, m)
				}
			}
			for _, m := range p.Members() {
				setUp(m, false)
			}
			if m := p.Pick(httptest.NewRequest("GET", "/", nil)); m != nil {
				t.Errorf("Pick with every member down = %s, want nil", m.Address)
			}
		})
	}
}

func TestRoundRobinSkipsDownMembersInOrder(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", Members: members("a:1", "b:1", "c:1")})
	setUp(p.Members()[1], false)
	if got, want := pickSequence(p, 4), []string{"a:1", "c:1", "c:1", "a:1"}; !slices.Equal(got, want) {
		t.Errorf("picks = %v, want %v", got, want)
	}
}

func TestSelectionSkipsTriedMembers(t *testing.T) {
	for _, policy := range []string{"roundrobin", "leastconn", "source"} {
		t.Run(policy, func(t *testing.T) {
			p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: policy, Members: members("a:1", "b:1")})
			r := requestFrom("192.0.2.1")
			first := p.Pick(r)
			second := p.selector.pick(p.members.Load(), r, []*Member{first})
			if second == nil || second == first {
				t.Fatalf("retry pick = %v after %s, want the other member", second, first.Address)
			}
			if m := p.selector.pick(p.members.Load(), r, []*Member{first, second}); m != nil {
				t.Errorf("pick with every member tried = %s, want nil", m.Address)
			}
		})
	}
}

func TestEmptyPoolPicksNothing(t *testing.T) {
	for _, policy := range []string{"roundrobin", "leastconn", "source"} {
		p := newTestPool(t, config.Pool{Name: "empty", LoadBalancing: policy})
		if m := p.Pick(httptest.NewRequest("GET", "/", nil)); m != nil {
			t.Errorf("%s: Pick on an empty pool = %s, want nil", policy, m.Address)
		}
	}
}

func TestLargeWeightsStayBounded(t *testing.T) {
	members := []*Member{{Address: "a", Weight: 1_000_000}, {Address: "b", Weight: 1}}
	order := smoothWeightedOrder(members)
	if len(order) > maxOrderLength+len(members) {
		t.Fatalf("order has %d entries, want at most about %d", len(order), maxOrderLength)
	}
	if !slices.Contains(order, 1) {
		t.Error("the light member never appears")
	}
}

func TestUnknownPolicyIsAnError(t *testing.T) {
	if _, err := NewPool(config.Pool{Name: "p", LoadBalancing: "random"}, PoolOptions{}); err == nil {
		t.Fatal("NewPool accepted load_balancing random")
	}
}

func TestPickAllocatesNothing(t *testing.T) {
	for _, policy := range []string{"roundrobin", "leastconn", "source"} {
		p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: policy, Members: members("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80")})
		r := requestFrom("198.51.100.7")
		if allocs := testing.AllocsPerRun(100, func() { p.Pick(r) }); allocs != 0 {
			t.Errorf("%s: Pick allocates %.1f times, want 0", policy, allocs)
		}
	}
}

// ipOf returns a distinct client IP for i.
func ipOf(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
}
