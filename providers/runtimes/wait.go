package runtimes

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Poll intervals while waiting for a runtime. A runtime usually answers within a second
// or two of its start (a container's start alone takes that long on a busy engine), so
// the first seconds are polled often: with a doubling delay from the start, the answer
// was noticed up to half a second late, which in an apply of hundreds at a parallelism
// of ten added up to many seconds. After quickPollFor the delay doubles, so a slow
// runtime is not hammered.
const (
	quickPollDelay = 20 * time.Millisecond
	quickPollFor   = 3 * time.Second
	maxPollDelay   = 500 * time.Millisecond
	// aliveEvery bounds how often Process.Alive is asked: for a container it is an engine
	// call, not a cheap signal.
	aliveEvery = 250 * time.Millisecond
)

// ErrProcessExited says the runtime process ended while the provider waited for it.
var ErrProcessExited = errors.New("the process exited")

// Process says whether the runtime is still there while the provider waits: exited is
// closed when a child started by this plugin ends (nil for a process started by an
// earlier run), alive is asked between polls.
type Process struct {
	Exited <-chan struct{}
	Alive  func() bool
}

// WaitReady waits until the runtime answers /healthz with 200 and /status reports the
// configuration the provider wrote (wantSHA). The second check makes sure the answer
// comes from this process and not from another one already holding the admin address.
func WaitReady(ctx context.Context, client *Client, proc Process, wantSHA string, timeout time.Duration) error {
	return Poll(ctx, proc, timeout, func(ctx context.Context) error {
		if err := client.Healthy(ctx); err != nil {
			return err
		}
		return loaded(ctx, client, wantSHA)
	})
}

// WaitLoaded waits until /status reports the configuration the provider wrote.
func WaitLoaded(ctx context.Context, client *Client, proc Process, wantSHA string, timeout time.Duration) error {
	return Poll(ctx, proc, timeout, func(ctx context.Context) error {
		return loaded(ctx, client, wantSHA)
	})
}

func loaded(ctx context.Context, client *Client, wantSHA string) error {
	st, err := client.Status(ctx)
	if err != nil {
		return err
	}
	if st.ConfigSHA256 != wantSHA {
		return fmt.Errorf("the runtime reports config_sha256 %s (generation %d), not %s", ShortHash(st.ConfigSHA256), st.ConfigGeneration, ShortHash(wantSHA))
	}
	return nil
}

// Poll runs check until it succeeds, the process exits, ctx ends or timeout passes.
func Poll(ctx context.Context, proc Process, timeout time.Duration, check func(context.Context) error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	start := time.Now()
	delay := quickPollDelay
	var askedAlive time.Time
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		if proc.Alive != nil && time.Since(askedAlive) >= aliveEvery {
			askedAlive = time.Now()
			if !proc.Alive() {
				return ErrProcessExited
			}
		}
		wait := time.NewTimer(delay)
		select {
		case <-proc.Exited:
			wait.Stop()
			return ErrProcessExited
		case <-deadline.C:
			wait.Stop()
			return fmt.Errorf("no success within %s, last answer: %w", timeout, err)
		case <-ctx.Done():
			wait.Stop()
			return fmt.Errorf("interrupted: %w", ctx.Err())
		case <-wait.C:
		}
		if time.Since(start) >= quickPollFor {
			delay = min(delay*2, maxPollDelay)
		}
	}
}

// ShortHash abbreviates a config SHA-256 for messages.
func ShortHash(sum string) string {
	if sum == "" {
		return "unknown"
	}
	return sum[:min(len(sum), 12)]
}
