package runtimes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRuntime serves /healthz and /status like runtime/admin, reporting sha once ready.
func fakeRuntime(t *testing.T, sha string, readyAfter int32) (*Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch r.URL.Path {
		case "/healthz":
			if n < readyAfter {
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ok")
		case "/status":
			fmt.Fprintf(w, `{"config_sha256":%q,"config_generation":1}`, sha)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return NewClient(strings.TrimPrefix(srv.URL, "http://"), ""), &calls
}

func TestWaitReadyWaitsForHealthAndTheRightConfig(t *testing.T) {
	client, calls := fakeRuntime(t, "abc123", 3)
	if err := WaitReady(context.Background(), client, Process{}, "abc123", 5*time.Second); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if calls.Load() < 3 {
		t.Fatalf("WaitReady returned after %d calls, before the runtime was healthy", calls.Load())
	}
	err := WaitLoaded(context.Background(), client, Process{}, "other", 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "config_sha256 abc123") {
		t.Fatalf("WaitLoaded of another config = %v, want a timeout naming the loaded hash", err)
	}
}

func TestPollStopsWhenTheProcessExits(t *testing.T) {
	exited := make(chan struct{})
	close(exited)
	err := Poll(context.Background(), Process{Exited: exited}, 5*time.Second, func(context.Context) error { return errors.New("not yet") })
	if !errors.Is(err, ErrProcessExited) {
		t.Fatalf("Poll = %v, want ErrProcessExited", err)
	}
	err = Poll(context.Background(), Process{Alive: func() bool { return false }}, 5*time.Second, func(context.Context) error { return errors.New("not yet") })
	if !errors.Is(err, ErrProcessExited) {
		t.Fatalf("Poll with a dead process = %v, want ErrProcessExited", err)
	}
}
