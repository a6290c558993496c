package benchproc

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWaitReadyReportsAProcessThatExitsEarly(t *testing.T) {
	s := &Set{}
	t.Cleanup(s.StopAll)
	p, err := s.Start("false", filepath.Join(t.TempDir(), "false.log"), "/bin/false")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1; the poll must end when the process exits, not at the timeout.
	start := time.Now()
	err = p.WaitReady("an answer", 20*time.Second, HTTPAnswers("http://127.0.0.1:1/", ""))
	if err == nil || !strings.Contains(err.Error(), "false exited before an answer") {
		t.Fatalf("WaitReady = %v, want an early-exit error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("WaitReady waited for its timeout instead of noticing the exit")
	}
}

func TestHTTPAnswersSendsTheHost(t *testing.T) {
	hosts := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hosts <- r.Host:
		default:
		}
		w.WriteHeader(http.StatusForbidden) // any answer will do
	}))
	defer srv.Close()
	if err := HTTPAnswers(srv.URL+"/", "localhost")(); err != nil {
		t.Fatal(err)
	}
	if got := <-hosts; got != "localhost" {
		t.Errorf("Host = %q, want localhost", got)
	}
	if err := HTTPOK(srv.URL + "/")(); err == nil {
		t.Error("HTTPOK accepted a 403")
	}
}

func TestStopAllEndsEveryProcessByPID(t *testing.T) {
	s := &Set{Grace: time.Second}
	var ps []*Process
	for range 2 {
		p, err := s.Start("sleep", filepath.Join(t.TempDir(), "sleep.log"), "/bin/sleep", "30")
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	s.StopAll()
	for _, p := range ps {
		select {
		case <-p.Exited():
		default:
			t.Fatalf("pid %d still runs after StopAll", p.PID())
		}
	}
	if n := s.Running(); n != 0 {
		t.Errorf("StopAll left %d processes registered", n)
	}
	if n := len(s.Started()); n != 2 {
		t.Errorf("Started lists %d processes, want 2", n)
	}
}

func TestDropEnvKeepsVariablesFromTheChild(t *testing.T) {
	t.Setenv("WAF_LISTEN", "0.0.0.0:1")
	t.Setenv("BENCHPROC_KEPT", "yes")
	s := &Set{DropEnv: "WAF_"}
	log := filepath.Join(t.TempDir(), "env.log")
	p, err := s.Start("env", log, "/usr/bin/env")
	if err != nil {
		t.Fatal(err)
	}
	<-p.Exited()
	s.Stop(p)
	env := readFile(t, log)
	if strings.Contains(env, "WAF_LISTEN") || !strings.Contains(env, "BENCHPROC_KEPT=yes") {
		t.Errorf("child environment:\n%s\nwant BENCHPROC_KEPT and no WAF_ variable", env)
	}
}

func TestEnsurePortFreeNamesABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = EnsurePortFree(ln.Addr().String(), "choose other ports")
	if err == nil || !strings.Contains(err.Error(), "is busy") || !strings.HasSuffix(err.Error(), "choose other ports") {
		t.Errorf("EnsurePortFree(listening port) = %v, want a busy-port error with the remedy", err)
	}
	if err := Accepting(ln.Addr().String())(); err != nil {
		t.Errorf("Accepting(listening port) = %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
