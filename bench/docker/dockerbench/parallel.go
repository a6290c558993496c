package main

import (
	"context"
	"sync"
)

// forEach calls fn for i = 0..n-1 with at most limit calls running at once, the way
// rampart's -parallelism bounds its provider operations. The first error cancels the
// context the remaining calls get, no new call starts after it, and it is returned.
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	slots := make(chan struct{}, max(limit, 1))
	for i := range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() {
				<-slots
				wg.Done()
			}()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// Cancelled from outside (the run was interrupted) before every call started.
		return context.Cause(ctx)
	}
	return firstErr
}
