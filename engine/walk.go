package engine

import (
	"context"
	"sync"
)

// walk runs visit for every node of g once all of its dependencies have finished. Nodes run
// concurrently; limiting the cost of each node is the visitor's job (provider calls take a
// slot of the engine's semaphore), so a node that fans out into many instances cannot
// deadlock the walk. When a node fails, the nodes that depend on it are skipped (their visit
// is not called) and reported through skipped; independent nodes go on, like Terraform.
// When ctx is done, nodes not yet started are skipped.
func walk(ctx context.Context, g *graph, visit func(name string) error, skipped func(name string, cause string)) {
	type state struct {
		done chan struct{}
		err  bool
	}
	states := make(map[string]*state, len(g.nodes))
	for n := range g.nodes {
		states[n] = &state{done: make(chan struct{})}
	}
	var wg sync.WaitGroup
	for n := range g.nodes {
		wg.Add(1)
		go func(n string) {
			defer wg.Done()
			st := states[n]
			defer close(st.done)
			for _, d := range g.dependencies(n) {
				ds, ok := states[d]
				if !ok {
					continue
				}
				<-ds.done
				if ds.err {
					st.err = true
					if skipped != nil {
						skipped(n, d)
					}
					return
				}
			}
			if ctx.Err() != nil {
				st.err = true
				if skipped != nil {
					skipped(n, "")
				}
				return
			}
			if err := visit(n); err != nil {
				st.err = true
			}
		}(n)
	}
	wg.Wait()
}
