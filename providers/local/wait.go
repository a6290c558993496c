package local

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Poll intervals while waiting for a runtime: quick at first (a healthy runtime answers
// within milliseconds), backing off so a slow one is not hammered.
const (
	firstPollDelay = 25 * time.Millisecond
	maxPollDelay   = 500 * time.Millisecond
)

// errProcessExited says the runtime process ended while the provider waited for it.
var errProcessExited = errors.New("the process exited")

// process says whether the runtime is still there while the provider waits: exited is
// closed when a child started by this plugin ends (nil for a process started by an
// earlier run), alive is asked between polls.
type process struct {
	exited <-chan struct{}
	alive  func() bool
}

// waitReady waits until the runtime answers /healthz with 200 and /status reports the
// configuration the provider wrote (wantSHA). The second check makes sure the answer
// comes from this process and not from another one already holding the admin address.
func waitReady(ctx context.Context, client *adminClient, proc process, wantSHA string, timeout time.Duration) error {
	return poll(ctx, proc, timeout, func(ctx context.Context) error {
		if err := client.healthy(ctx); err != nil {
			return err
		}
		return loaded(ctx, client, wantSHA)
	})
}

// waitLoaded waits until /status reports the configuration the provider wrote.
func waitLoaded(ctx context.Context, client *adminClient, proc process, wantSHA string, timeout time.Duration) error {
	return poll(ctx, proc, timeout, func(ctx context.Context) error {
		return loaded(ctx, client, wantSHA)
	})
}

func loaded(ctx context.Context, client *adminClient, wantSHA string) error {
	st, err := client.status(ctx)
	if err != nil {
		return err
	}
	if st.ConfigSHA256 != wantSHA {
		return fmt.Errorf("the runtime reports config_sha256 %s (generation %d), not %s", shortHash(st.ConfigSHA256), st.ConfigGeneration, shortHash(wantSHA))
	}
	return nil
}

// poll runs check until it succeeds, the process exits, ctx ends or timeout passes.
func poll(ctx context.Context, proc process, timeout time.Duration, check func(context.Context) error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	delay := firstPollDelay
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		if proc.alive != nil && !proc.alive() {
			return errProcessExited
		}
		wait := time.NewTimer(delay)
		select {
		case <-proc.exited:
			wait.Stop()
			return errProcessExited
		case <-deadline.C:
			wait.Stop()
			return fmt.Errorf("no success within %s, last answer: %w", timeout, err)
		case <-ctx.Done():
			wait.Stop()
			return fmt.Errorf("interrupted: %w", ctx.Err())
		case <-wait.C:
		}
		delay = min(delay*2, maxPollDelay)
	}
}
