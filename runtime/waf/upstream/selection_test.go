package upstream

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func newTestPool(t *testing.T, cfg config.Pool) *Pool {
	t.Helper()
	p, err := NewPool(cfg, PoolOptions{Transport: NewTransport()})
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	return p
}

func pickSequence(p *Pool, n int) []string {
	r := httptest.NewRequest("GET", "/", nil)
	var seq []string
	for range n {
		m := p.Pick(r)
		if m == nil {
			seq = append(seq, "<none>")
			continue
		}
		seq = append(seq, m.Address)
	}
	return seq
}

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

func TestRoundRobinSkipsDownMembers(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", Members: []config.Member{
		{Address: "a:1", Weight: 1}, {Address: "b:1", Weight: 1}, {Address: "c:1", Weight: 1},
	}})
	p.Members[1].up.Store(false)
	if got, want := pickSequence(p, 4), []string{"a:1", "c:1", "c:1", "a:1"}; !slices.Equal(got, want) {
		t.Errorf("picks = %v, want %v", got, want)
	}
	for _, m := range p.Members {
		m.up.Store(false)
	}
	if m := p.Pick(httptest.NewRequest("GET", "/", nil)); m != nil {
		t.Errorf("Pick with every member down = %s, want nil", m.Address)
	}
}

func TestEmptyPoolPicksNothing(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "empty"})
	if m := p.Pick(httptest.NewRequest("GET", "/", nil)); m != nil {
		t.Errorf("Pick on an empty pool = %s, want nil", m.Address)
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

func TestUnimplementedPolicyIsAnError(t *testing.T) {
	_, err := NewPool(config.Pool{Name: "p", LoadBalancing: "leastconn"}, PoolOptions{})
	if err == nil {
		t.Fatal("NewPool accepted leastconn, which is not implemented")
	}
}
