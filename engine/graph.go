package engine

import (
	"fmt"
	"sort"
	"strings"
)

// graph is a directed acyclic graph of named nodes. An edge a→b means a depends on b:
// b must be done before a starts.
type graph struct {
	nodes map[string]bool
	deps  map[string]map[string]bool
}

func newGraph() *graph {
	return &graph{nodes: map[string]bool{}, deps: map[string]map[string]bool{}}
}

func (g *graph) add(name string) { g.nodes[name] = true }

// connect records that from depends on to. Both must be nodes.
func (g *graph) connect(from, to string) {
	if g.deps[from] == nil {
		g.deps[from] = map[string]bool{}
	}
	g.deps[from][to] = true
}

// dependencies returns the sorted direct dependencies of a node.
func (g *graph) dependencies(name string) []string {
	out := make([]string, 0, len(g.deps[name]))
	for d := range g.deps[name] {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// cycles returns every cycle as the sorted list of its nodes (strongly connected
// components with more than one node, or a node depending on itself), using Tarjan's
// algorithm. Sorted so error messages are stable.
func (g *graph) cycles() [][]string {
	index := 0
	indices := map[string]int{}
	lowlink := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var result [][]string

	var strongConnect func(v string)
	strongConnect = func(v string) {
		indices[v] = index
		lowlink[v] = index
		index++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.dependencies(v) {
			if _, seen := indices[w]; !seen {
				strongConnect(w)
				lowlink[v] = min(lowlink[v], lowlink[w])
			} else if onStack[w] {
				lowlink[v] = min(lowlink[v], indices[w])
			}
		}
		if lowlink[v] == indices[v] {
			var scc []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			if len(scc) > 1 || g.deps[v][v] {
				sort.Strings(scc)
				result = append(result, scc)
			}
		}
	}
	names := make([]string, 0, len(g.nodes))
	for n := range g.nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, seen := indices[n]; !seen {
			strongConnect(n)
		}
	}
	sort.Slice(result, func(i, j int) bool { return result[i][0] < result[j][0] })
	return result
}

// cycleError formats the cycles for a user.
func cycleError(cycles [][]string) string {
	var parts []string
	for _, c := range cycles {
		parts = append(parts, strings.Join(c, ", "))
	}
	return fmt.Sprintf("these blocks refer to each other in a cycle: %s. Break the cycle by removing one of the references or depends_on entries.", strings.Join(parts, "; and "))
}
