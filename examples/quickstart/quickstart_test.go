package quickstart_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/examples/internal/clirun"
	"github.com/rampart-sec/rampart/examples/quickstart/backend"
	"github.com/rampart-sec/rampart/internal/freeport"
)

func TestMain(m *testing.M) {
	clirun.Main(m,
		"github.com/rampart-sec/rampart/cmd/rampart",
		"github.com/rampart-sec/rampart/cmd/rampart-provider-local",
		"github.com/rampart-sec/rampart/cmd/rampart-waf",
	)
}

// freePort returns a free loopback port outside the ephemeral range, so no client socket
// can take it between the kill and the re-apply below.
func freePort(t *testing.T) int { return freeport.Port(t) }

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// TestQuickstartLifecycle applies the quickstart for real, checks the WAF, kills the
// runtime behind rampart's back, sees the drift, heals it and destroys everything.
func TestQuickstartLifecycle(t *testing.T) {
	srv, backendAddr, err := backend.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	work := t.TempDir()
	src, err := os.ReadFile("main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	wafPort, adminPort := freePort(t), freePort(t)
	vars := fmt.Sprintf("waf_port = %d\nadmin_port = %d\nbackend_address = %q\n", wafPort, adminPort, backendAddr)
	if err := os.WriteFile(filepath.Join(work, "test.vars.hcl"), []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	c := clirun.CLI{T: t, Dir: work}
	wafURL := fmt.Sprintf("http://127.0.0.1:%d", wafPort)

	c.Must("init")
	applied := c.Must("apply", "-auto-approve")
	t.Cleanup(func() { c.Run("destroy", "-auto-approve") })
	if !strings.Contains(applied, "Apply complete! Appliances: 1 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply output lacks the summary:\n%s", applied)
	}

	code, body, _ := get(t, wafURL+"/products?q=blue+shoes")
	if code != http.StatusOK || !strings.Contains(body, "hello from the shop backend") {
		t.Fatalf("benign request: %d %q, want 200 from the backend", code, body)
	}
	code, _, hdr := get(t, wafURL+"/products?id=1%27%20OR%20%271%27%3D%271")
	if code != http.StatusForbidden || hdr.Get("X-Request-Id") == "" {
		t.Fatalf("attack: %d (request id %q), want 403 with a request id", code, hdr.Get("X-Request-Id"))
	}

	status := c.Must("status")
	if !strings.Contains(status, "shop") || !strings.Contains(status, "healthy") {
		t.Fatalf("status does not show a healthy shop:\n%s", status)
	}
	// The WAF's own health view: its pool member, as the runtime's /status reports it.
	if !strings.Contains(status, "pool app: "+backendAddr+"  UP") {
		t.Fatalf("status does not show the pool member %s UP:\n%s", backendAddr, status)
	}
	// Its figures at a glance, from the same /status.
	if !strings.Contains(status, "members UP:") || !strings.Contains(status, "blocked:") {
		t.Fatalf("status does not show the WAF's figures (members UP, blocked):\n%s", status)
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan right after apply exited %d, want 0 (no changes):\n%s", code, out)
	}

	// Kill the runtime behind rampart's back.
	pid := wafPID(t, c)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill waf pid %d: %v", pid, err)
	}
	waitGone(t, pid)

	// Without refresh, rampart trusts its state and sees nothing to do.
	if code, out := c.Run("plan", "-detailed-exitcode", "-refresh=false"); code != 0 {
		t.Fatalf("plan -refresh=false after the kill exited %d, want 0 (state is trusted):\n%s", code, out)
	}

	code, out := c.Run("plan", "-detailed-exitcode", "-json")
	if code != 2 {
		t.Fatalf("plan after the kill exited %d, want 2 (changes):\n%s", code, out)
	}
	var plan struct {
		Changes []struct {
			Address, Action, Reason string
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan -json output: %v\n%s", err, out)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Address != "waf.shop" || plan.Changes[0].Action != "create" {
		t.Fatalf("plan after the kill: %+v, want waf.shop planned for re-creation", plan.Changes)
	}

	c.Must("apply", "-auto-approve")
	if code, _, _ := get(t, wafURL+"/"); code != http.StatusOK {
		t.Fatalf("after re-apply the WAF answers %d, want 200", code)
	}
	if newPID := wafPID(t, c); newPID == pid {
		t.Fatalf("re-applied WAF has the killed pid %d", pid)
	}

	// Forget the running WAF, then adopt it again with import: the next plan finds the
	// adopted process matches the configuration.
	running := wafPID(t, c)
	c.Must("state", "rm", "waf.shop")
	if list := strings.TrimSpace(c.Must("state", "list")); list != "" {
		t.Fatalf("state after rm lists %q", list)
	}
	imported := c.Must("import", "waf.shop", fmt.Sprintf("local:%d", running))
	if !strings.Contains(imported, "Imported waf.shop") {
		t.Fatalf("import output:\n%s", imported)
	}
	if got := wafPID(t, c); got != running {
		t.Fatalf("imported pid %d, want the running %d", got, running)
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after import exited %d, want 0 (the adopted WAF matches):\n%s", code, out)
	}

	destroyed := c.Must("destroy", "-auto-approve")
	if !strings.Contains(destroyed, "Destroy complete! Appliances: 1 destroyed.") {
		t.Fatalf("destroy output:\n%s", destroyed)
	}
	if list := strings.TrimSpace(c.Must("state", "list")); list != "" {
		t.Fatalf("state after destroy still lists %q", list)
	}
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", wafPort), time.Second); err == nil {
		conn.Close()
		t.Fatalf("WAF port %d still accepts connections after destroy", wafPort)
	}
}

// wafPID reads the runtime's pid from the state, through `rampart show -json`.
func wafPID(t *testing.T, c clirun.CLI) int {
	t.Helper()
	out := c.Must("show", "-json")
	var doc struct {
		Instances []struct {
			Address string `json:"address"`
			Value   struct {
				Placement struct {
					PID float64 `json:"pid"`
				} `json:"placement"`
			} `json:"value"`
		} `json:"instances"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	for _, inst := range doc.Instances {
		if inst.Address == "waf.shop" && inst.Value.Placement.PID > 0 {
			return int(inst.Value.Placement.PID)
		}
	}
	t.Fatalf("no pid for waf.shop in state:\n%s", out)
	return 0
}

// waitGone waits until pid no longer runs (a zombie counts as gone: its cmdline is empty).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || len(cmdline) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pid %d still runs 10s after SIGKILL", pid)
}
