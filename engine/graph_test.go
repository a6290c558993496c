package engine

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
)

func TestGraphCycles(t *testing.T) {
	tests := []struct {
		name  string
		edges [][2]string
		want  [][]string
	}{
		{"acyclic", [][2]string{{"waf.a", "waf.b"}, {"waf.b", "local.x"}}, nil},
		{"two-node cycle", [][2]string{{"waf.a", "waf.b"}, {"waf.b", "waf.a"}}, [][]string{{"waf.a", "waf.b"}}},
		{"self reference", [][2]string{{"waf.a", "waf.a"}}, [][]string{{"waf.a"}}},
		{"three-node cycle beside a tail", [][2]string{
			{"waf.a", "local.x"}, {"local.x", "gateway.g"}, {"gateway.g", "waf.a"}, {"scanner.s", "waf.a"},
		}, [][]string{{"gateway.g", "local.x", "waf.a"}}},
		{"two separate cycles", [][2]string{
			{"waf.a", "waf.b"}, {"waf.b", "waf.a"}, {"local.x", "local.y"}, {"local.y", "local.x"},
		}, [][]string{{"local.x", "local.y"}, {"waf.a", "waf.b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph()
			for _, e := range tt.edges {
				g.add(e[0])
				g.add(e[1])
				g.connect(e[0], e[1])
			}
			if got := g.cycles(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("cycles() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCycleErrorNamesEveryNode(t *testing.T) {
	got := cycleError([][]string{{"waf.a", "waf.b"}})
	want := "these blocks refer to each other in a cycle: waf.a, waf.b. Break the cycle by removing one of the references or depends_on entries."
	if got != want {
		t.Fatalf("cycleError = %q\nwant        %q", got, want)
	}
}

func TestWalkOrderAndFailurePropagation(t *testing.T) {
	g := newGraph()
	for _, n := range []string{"provider.local", "waf.a", "waf.b", "gateway.c", "scanner.d"} {
		g.add(n)
	}
	g.connect("waf.a", "provider.local")
	g.connect("waf.b", "waf.a")
	g.connect("gateway.c", "waf.b")
	g.connect("scanner.d", "provider.local")

	var mu sync.Mutex
	var order []string
	skipped := map[string]string{}
	walk(context.Background(), g, func(n string) error {
		mu.Lock()
		order = append(order, n)
		mu.Unlock()
		if n == "waf.b" {
			return errors.New("boom")
		}
		return nil
	}, func(n, cause string) {
		mu.Lock()
		skipped[n] = cause
		mu.Unlock()
	})
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	if pos["provider.local"] > pos["waf.a"] || pos["waf.a"] > pos["waf.b"] {
		t.Fatalf("dependencies ran out of order: %v", order)
	}
	if _, ran := pos["gateway.c"]; ran {
		t.Fatalf("gateway.c ran although its dependency waf.b failed: %v", order)
	}
	if skipped["gateway.c"] != "waf.b" {
		t.Fatalf("gateway.c skip cause = %q, want waf.b", skipped["gateway.c"])
	}
	if _, ran := pos["scanner.d"]; !ran {
		t.Fatalf("independent scanner.d did not run: %v", order)
	}
}

func TestWalkBoundedByCancelledContext(t *testing.T) {
	g := newGraph()
	g.add("a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	walk(ctx, g, func(string) error { ran = true; return nil }, nil)
	if ran {
		t.Fatal("a node started after the context was cancelled")
	}
}
