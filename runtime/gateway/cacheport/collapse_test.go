package cacheport

import (
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestCollapsedForwarding500: 500 clients ask at once for the same uncached 50 MB object:
// the origin gets exactly one request, every client gets every byte, and the late joiners
// get the response (headers and the first megabyte) while the origin is still sending:
// the origin holds the rest back until all 500 have started receiving.
func TestCollapsedForwarding500(t *testing.T) {
	const (
		clients = 500
		size    = 50 << 20
		first   = 1 << 20 // sent before the gate opens
	)
	body := pattern(size)
	wantCRC := crc32.ChecksumIEEE(body)
	gate := make(chan struct{})
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = w.Write(body[:first])
		w.(http.Flusher).Flush()
		select {
		case <-gate:
		case <-time.After(60 * time.Second): // bound: never hang the test binary
		}
		_, _ = w.Write(body[first:])
	})
	gw := startGateway(t, origin, nil)

	proxyURL, _ := url.Parse("http://" + gw.addr)
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL), MaxIdleConnsPerHost: clients, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 120 * time.Second}

	var started, finished sync.WaitGroup
	started.Add(clients)
	finished.Add(clients)
	errs := make(chan error, clients)
	for i := range clients {
		go func() {
			defer finished.Done()
			startedOnce := sync.OnceFunc(started.Done)
			defer startedOnce()
			resp, err := c.Get(origin.URL + "/agent-50mb.bin")
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			defer resp.Body.Close()
			// Headers and the first bytes arrive while the origin is held at the gate.
			head := make([]byte, 4096)
			if _, err := io.ReadFull(resp.Body, head); err != nil {
				errs <- fmt.Errorf("client %d: first bytes: %w", i, err)
				return
			}
			startedOnce()
			h := crc32.NewIEEE()
			h.Write(head)
			n, err := io.Copy(h, resp.Body)
			switch {
			case err != nil:
				errs <- fmt.Errorf("client %d: body: %w", i, err)
			case n+int64(len(head)) != size || h.Sum32() != wantCRC:
				errs <- fmt.Errorf("client %d: got %d bytes (crc %08x), want %d (crc %08x)", i, n+int64(len(head)), h.Sum32(), size, wantCRC)
			}
		}()
	}
	waitOrFail(t, &started, 60*time.Second, "500 clients to start receiving while the origin holds the body")
	if n := origin.requests.Load(); n != 1 {
		t.Errorf("origin got %d requests before the body completed, want 1", n)
	}
	close(gate)
	waitOrFail(t, &finished, 90*time.Second, "500 clients to receive 50 MB each")
	close(errs)
	failed := 0
	for err := range errs {
		if failed < 5 {
			t.Error(err)
		}
		failed++
	}
	if failed > 0 {
		t.Fatalf("%d of %d clients failed", failed, clients)
	}
	if n := origin.requests.Load(); n != 1 {
		t.Errorf("origin got %d requests, want exactly 1", n)
	}
	st := gw.Stats()
	if st.Misses != 1 || st.Hits != clients-1 {
		t.Errorf("stats: %d misses, %d hits; want 1 and %d", st.Misses, st.Hits, clients-1)
	}
	t.Logf("%d clients × 50 MB: 1 origin request, %d MB fetched, %d MB served from cache", clients, st.BytesFetched>>20, st.BytesFromCache>>20)
}

// waitOrFail waits for wg, failing the test after limit (a bound, not a measurement).
func waitOrFail(t *testing.T, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("timed out after %s waiting for %s", limit, what)
	}
}
