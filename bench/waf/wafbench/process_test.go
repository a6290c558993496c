package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWaitHTTPReportsAProcessThatExitsEarly(t *testing.T) {
	ps := &processes{}
	t.Cleanup(ps.stopAll)
	p, err := ps.start("false", filepath.Join(t.TempDir(), "false.log"), "/bin/false")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1; the poll must end when the process exits, not at the timeout.
	start := time.Now()
	err = p.waitHTTP("http://127.0.0.1:1/", 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Fatalf("waitHTTP = %v, want an early-exit error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("waitHTTP waited for its timeout instead of noticing the exit")
	}
}

func TestWaitHTTPSendsHostLocalhost(t *testing.T) {
	hosts := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hosts <- r.Host:
		default:
		}
	}))
	defer srv.Close()
	ps := &processes{}
	t.Cleanup(ps.stopAll)
	p, err := ps.start("sleep", filepath.Join(t.TempDir(), "sleep.log"), "/bin/sleep", "30")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.waitHTTP(srv.URL+"/", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := <-hosts; got != benchHost {
		t.Errorf("Host = %q, want %q", got, benchHost)
	}
}

func TestStopEndsTheProcessByPID(t *testing.T) {
	ps := &processes{}
	p, err := ps.start("sleep", filepath.Join(t.TempDir(), "sleep.log"), "/bin/sleep", "30")
	if err != nil {
		t.Fatal(err)
	}
	ps.stopAll()
	select {
	case <-p.exited:
	default:
		t.Fatal("process still running after stopAll")
	}
	if len(ps.running) != 0 {
		t.Errorf("stopAll left %d processes registered", len(ps.running))
	}
}

func TestEnsurePortFreeNamesABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = ensurePortFree(ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "is busy") {
		t.Errorf("ensurePortFree(listening port) = %v, want a busy-port error", err)
	}
}
