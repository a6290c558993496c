package waf_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReloadUnderLoad changes the configuration several times while four clients send
// requests (bounded: 2,000 requests or 5 s), including a broken configuration that must be
// refused while the old one keeps serving. No request may fail: no connection error, no
// 5xx.
func TestReloadUnderLoad(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	w := startWAF(t, simpleConfig("block", a.address()))

	const clients, maxRequests = 4, 2000
	deadline := time.Now().Add(5 * time.Second)
	var sent, failed atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if sent.Add(1) > maxRequests || time.Now().After(deadline) {
					return
				}
				resp, err := client.Get(fmt.Sprintf("%s/item?client=%d&n=%d", w.url, c, i))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	// Each change waits for some traffic to pass under the previous configuration.
	progress := func() {
		target := sent.Load() + 100
		waitFor(t, "traffic between reloads", func() bool { return sent.Load() >= target || time.Now().After(deadline) })
	}
	detect := simpleConfig("detect", a.address())
	twoMembers := simpleConfig("detect", a.address(), b.address())
	backToBlock := simpleConfig("block", a.address(), b.address())
	steps := []struct {
		name   string
		write  func()
		broken bool
	}{
		{"policy mode to detect", func() { writeConfig(t, w.configPath, detect) }, false},
		{"a pool member added", func() { writeConfig(t, w.configPath, twoMembers) }, false},
		{"a broken file", func() { os.WriteFile(w.configPath, []byte(`{"listen": {"http": 1}, "site": [`), 0o600) }, true},
		{"policy mode back to block", func() { writeConfig(t, w.configPath, backToBlock) }, false},
	}
	generation := w.status(t).ConfigGeneration
	for _, step := range steps {
		progress()
		step.write()
		err := w.Reload()
		if step.broken {
			if err == nil {
				t.Errorf("%s: Reload accepted it", step.name)
			}
			if got := w.status(t).ConfigGeneration; got != generation {
				t.Errorf("%s: /status shows generation %d, want the old %d", step.name, got, generation)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: Reload: %v", step.name, err)
		}
		generation++
		if got := w.status(t).ConfigGeneration; got != generation {
			t.Errorf("%s: /status shows generation %d, want %d", step.name, got, generation)
		}
	}
	progress()
	close(stop)
	wg.Wait()

	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed during reloads; first: %v", n, min(sent.Load(), maxRequests), firstFailure.Load())
	}
	if len(a.requests()) == 0 || len(b.requests()) == 0 {
		t.Errorf("requests per member: a %d, b %d; the added member got none", len(a.requests()), len(b.requests()))
	}
	if !strings.Contains(w.logs.String(), "reload failed") {
		t.Error("the refused configuration was not logged")
	}
	if resp := w.get(t, "", "/?q=<script>alert(1)</script>"); resp.status != http.StatusForbidden {
		t.Errorf("after the last reload (block) an attack got %d", resp.status)
	}
}
