package main_test

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReloadSwapsAndRefusesBadConfig: SIGHUP applies a new allowed list on the next
// request; a bad file is refused and the running configuration keeps serving.
func TestReloadSwapsAndRefusesBadConfig(t *testing.T) {
	origin := listenLoopback(t)
	go http.Serve(origin, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("origin")) }))
	port := origin.Addr().(*net.TCPAddr).Port
	allow := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"destination": n, "http_ports": []int{port}, "allow_private": true})
		}
		return out
	}
	cfg := map[string]any{
		"no_default_domains": true,
		"allow":              allow("one.test"),
		"host_mappings":      map[string]string{"one.test": "127.0.0.1", "two.test": "127.0.0.1"},
	}
	g := startGateway(t, cfg)
	get := func(host string) int {
		t.Helper()
		c, err := net.DialTimeout("tcp", g.proxy, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("GET http://" + host + ":" + strconv.Itoa(port) + "/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n"))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if get("one.test") != 200 || get("two.test") != 403 {
		t.Fatal("before reload: want one.test allowed and two.test refused")
	}

	cfg["allow"] = allow("two.test")
	g.writeConfig(t, cfg)
	reload(t, g, 2)
	if get("one.test") != 403 || get("two.test") != 200 {
		t.Fatal("after reload: want two.test allowed and one.test refused")
	}

	os.WriteFile(g.configPath, []byte(`{"listen": {"proxy": 22}}`), 0o600)
	g.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool {
		return strings.Contains(g.logs.String(), "reload failed; the running configuration is kept")
	})
	if st := g.status(t); st.ConfigGeneration != 2 {
		t.Fatalf("generation %d after a bad reload, want 2", st.ConfigGeneration)
	}
	if !strings.Contains(g.logs.String(), "listen.proxy: port 22 is reserved") {
		t.Fatalf("the refusal does not name the field:\n%s", g.logs)
	}
	if get("two.test") != 200 {
		t.Fatal("the running configuration stopped serving after a bad reload")
	}
	st := g.status(t)
	if st.fact("unique IPs (60m)") != "1" || st.fact("proxy port") == "" || st.fact("TLS minimum") != "1.2" {
		t.Fatalf("status facts %+v", st.Facts)
	}
}

func reload(t *testing.T, g *gatewayProcess, wantGeneration uint64) {
	t.Helper()
	g.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool { return g.status(t).ConfigGeneration == wantGeneration })
}

// waitFor polls cond (a readiness check, not a timing assumption) for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCheckFlag: -check accepts a valid file and refuses a reserved port by its field.
func TestCheckFlag(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"allowed_domains": ["repo.example.com"]}`), 0o600)
	os.WriteFile(bad, []byte(`{"allow": [{"destination": "repo.example.com", "tunnel_ports": [2379]}]}`), 0o600)
	if out, err := exec.Command(binary, "-check", "-config", good).CombinedOutput(); err != nil {
		t.Fatalf("-check of a valid file: %v\n%s", err, out)
	}
	out, err := exec.Command(binary, "-check", "-config", bad).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `allow["repo.example.com"].tunnel_ports[0]: port 2379 is reserved`) {
		t.Fatalf("-check of a reserved port: %v\n%s", err, out)
	}
	out, _ = exec.Command(binary, "-version").CombinedOutput()
	if !strings.HasPrefix(string(out), "rampart-gateway ") {
		t.Fatalf("-version: %q", out)
	}
}
