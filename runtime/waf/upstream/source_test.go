package upstream

import (
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestSourceIsStablePerClient(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "source", Members: members("a:1", "b:1", "c:1")})
	for i := range 200 {
		first := p.Pick(requestFrom(ipOf(i)))
		for range 5 {
			if again := p.Pick(requestFrom(ipOf(i))); again != first {
				t.Fatalf("client %s went to %s then %s", ipOf(i), first.Address, again.Address)
			}
		}
	}
	// The port of the client connection does not matter, and IPv6 clients hash too.
	r1, r2 := requestFrom("2001:db8::1"), requestFrom("2001:db8::1")
	r2.RemoteAddr = "[2001:db8::1]:61000"
	if p.Pick(r1) != p.Pick(r2) {
		t.Error("the same IPv6 client from two ports went to two members")
	}
}

// TestSourceRemapsOnlyTheRemovedMembersClients removes a member (discovery) and takes
// another DOWN: only the clients they served move.
func TestSourceRemapsOnlyTheRemovedMembersClients(t *testing.T) {
	p := newTestPool(t, config.Pool{Name: "p", LoadBalancing: "source", Members: members("s:1")})
	p.SetMembers([]MemberSpec{{Address: "a:1"}, {Address: "b:1"}, {Address: "c:1"}, {Address: "d:1"}})
	const clients = 2000
	before := assignments(p, clients)

	p.SetMembers([]MemberSpec{{Address: "a:1"}, {Address: "b:1"}, {Address: "d:1"}}) // c removed
	after := assignments(p, clients)
	moved := 0
	for i := range clients {
		switch {
		case before[i] == "c:1":
			moved++
			if after[i] == "c:1" {
				t.Fatalf("client %d still goes to the removed member", i)
			}
		case after[i] != before[i]:
			t.Fatalf("client %d moved from %s to %s although its member stayed", i, before[i], after[i])
		}
	}
	if moved < clients/10 {
		t.Errorf("only %d of %d clients were on c:1; the hash does not spread", moved, clients)
	}

	for _, m := range p.Members() {
		if m.Address == "a:1" {
			setUp(m, false)
		}
	}
	down := assignments(p, clients)
	for i := range clients {
		if after[i] != "a:1" && down[i] != after[i] {
			t.Fatalf("client %d moved from %s to %s when a:1 went down", i, after[i], down[i])
		}
	}
}

func assignments(p *Pool, clients int) []string {
	out := make([]string, clients)
	for i := range out {
		out[i] = p.Pick(requestFrom(ipOf(i))).Address
	}
	return out
}

func TestClientHost(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:5000":      "192.0.2.1",
		"[2001:db8::1]:443":   "2001:db8::1",
		"2001:db8::1":         "2001:db8::1",
		"unix-socket-no-port": "unix-socket-no-port",
	} {
		if got := clientHost(in); got != want {
			t.Errorf("clientHost(%q) = %q, want %q", in, got, want)
		}
	}
}
