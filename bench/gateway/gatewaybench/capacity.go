package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/bench/procstat"
)

// capacityResult is the proxy's footprint with every connection of the capacity row open.
type capacityResult struct {
	Connections int
	Footprint   procstat.Footprint
	Opened      time.Duration // how long opening them all took (reported, never judged)
}

// capacityOpeners is how many connections are being opened at once.
const capacityOpeners = 64

// runCapacity opens n connections along rt, each CONNECT + TLS + one GET smallPath, keeps
// them all open, then makes a second request on every one (each must still work) and
// reads the proxy's footprint. Everything is bounded by ctx and requestTimeout.
func runCapacity(ctx context.Context, rt route, n, proxyPID int) (capacityResult, error) {
	res := capacityResult{Connections: n}
	conns := make([]*clientConn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.close()
			}
		}
	}()
	var buf []byte // nil: io.Discard reads the small body with its own buffer
	started := time.Now()
	err := forEach(ctx, n, func(i int) error {
		c, err := dialRoute(ctx, rt)
		if err != nil {
			return fmt.Errorf("connection %d of %d: %w", i+1, n, err)
		}
		conns[i] = c
		return expectSmall(c, buf)
	})
	if err != nil {
		return res, err
	}
	res.Opened = time.Since(started)
	err = forEach(ctx, n, func(i int) error {
		if err := expectSmall(conns[i], buf); err != nil {
			return fmt.Errorf("connection %d of %d, second request with all open: %w", i+1, n, err)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if res.Footprint, err = procstat.TreeFootprint(proxyPID); err != nil {
		return res, err
	}
	return res, nil
}

func expectSmall(c *clientConn, buf []byte) error {
	status, size, err := c.get(smallPath, io.Discard, buf)
	if err != nil {
		return err
	}
	if status != http.StatusOK || size != smallSize {
		return fmt.Errorf("GET %s: status %d, %d bytes (want 200, %d bytes)", smallPath, status, size, smallSize)
	}
	return nil
}

// forEach calls f(0..n-1), capacityOpeners at a time, and returns the first error; after
// an error or the end of ctx no further call starts.
func forEach(ctx context.Context, n int, f func(i int) error) error {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range min(capacityOpeners, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return fmt.Errorf("capacity row: %w", ctx.Err())
	}
	return firstErr
}
