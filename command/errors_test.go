package command_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/engine/state"
)

// wafRuntime is the smallest valid WAF runtime configuration.
const wafRuntime = `
  listen {
    http = 18999
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "default" {
    pool = "app"
  }
`

// TestConfigurationErrors checks the exact messages users get for bad configuration.
func TestConfigurationErrors(t *testing.T) {
	tests := []struct {
		name string
		hcl  string
		init bool // run rampart init first (errors found after providers start)
		args []string
	}{
		{
			name: "malformed_hcl",
			hcl:  "waf \"shop\" {\n  listen {\n    http = 80\n",
			args: []string{"validate"},
		},
		{
			name: "unknown_attribute",
			hcl:  "waf \"shop\" {\n  listen {\n    htp = 8080\n  }\n  server_pool \"app\" {\n    member {\n      address = \"127.0.0.1:9\"\n    }\n  }\n  site \"default\" {\n    pool = \"app\"\n  }\n}\n",
			init: true,
			args: []string{"validate"},
		},
		{
			name: "unknown_block_typo",
			hcl:  "waf \"shop\" {\n  lisen {\n    http = 8080\n  }\n}\n",
			args: []string{"validate"},
		},
		{
			name: "wrong_type",
			hcl:  "waf \"shop\" {\n  listen {\n    http = \"eighty\"\n  }\n  server_pool \"app\" {\n    member {\n      address = \"127.0.0.1:9\"\n    }\n  }\n  site \"default\" {\n    pool = \"app\"\n  }\n}\n",
			init: true,
			args: []string{"validate"},
		},
		{
			name: "reference_cycle",
			hcl:  "waf \"a\" {\n  depends_on = [waf.b]\n" + wafRuntime + "}\n\nwaf \"b\" {\n  depends_on = [waf.a]\n" + wafRuntime + "}\n",
			init: true,
			args: []string{"plan"},
		},
		{
			name: "unknown_provider",
			hcl:  "waf \"shop\" {\n" + wafRuntime + "  dockr {}\n}\n",
			args: []string{"plan"},
		},
		{
			name: "plugin_not_initialized",
			hcl:  "waf \"shop\" {\n" + wafRuntime + "}\n",
			args: []string{"plan"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := workdir(t, map[string]string{"main.hcl": tt.hcl})
			if tt.init {
				mustRampart(t, dir, "init")
			}
			r := rampart(t, dir, tt.args...)
			if r.code != 1 {
				t.Fatalf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			golden(t, tt.name, normalize(r.stderr, dir))
		})
	}
}

// crashyConfig places WAFs on the crashy test provider, which needs no processes.
const crashyConfig = `
waf "first" {
` + wafRuntime + `
  crashy {}
}

waf "second" {
  depends_on = [waf.first]
` + wafRuntime + `
  crashy {
    crash = %s
  }
}
`

func crashy(crash bool) string {
	v := "false"
	if crash {
		v = "true"
	}
	return strings.Replace(crashyConfig, "%s", v, 1)
}

// TestFailedRefreshPlansNothing: when the provider cannot see what runs, plan fails with
// its error and proposes nothing (in particular, not to create again what exists).
func TestFailedRefreshPlansNothing(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": crashy(false)})
	mustRampart(t, dir, "init")
	mustRampart(t, dir, "apply", "-auto-approve")
	broken := crashy(false) + "\nprovider \"crashy\" {\n  fail_refresh = true\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rampart(t, dir, "plan")
	if r.code != 1 {
		t.Fatalf("plan with a failing refresh exited %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "Simulated refresh failure") {
		t.Errorf("stderr lacks the provider's error:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout, "will be created") {
		t.Errorf("plan proposes creates although refresh failed:\n%s", r.stdout)
	}
}

// TestStalePlanIsRefused: a plan made before the state or the configuration changed must
// not be applied.
func TestStalePlanIsRefused(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": crashy(false)})
	mustRampart(t, dir, "init")
	mustRampart(t, dir, "plan", "-out", "old.plan")
	mustRampart(t, dir, "apply", "-auto-approve")

	r := rampart(t, dir, "apply", "old.plan")
	if r.code != 1 {
		t.Fatalf("applying a stale plan exited %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden(t, "stale_plan_state", normalize(r.stderr, dir))

	mustRampart(t, dir, "plan", "-out", "fresh.plan")
	edited := strings.Replace(crashy(false), "http = 18999", "http = 18998", 1)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	r = rampart(t, dir, "apply", "fresh.plan")
	if r.code != 1 {
		t.Fatalf("applying a plan of an edited configuration exited %d, want 1", r.code)
	}
	golden(t, "stale_plan_config", normalize(r.stderr, dir))
}

// TestLockedState: a second apply fails at once and names the holder of the lock.
func TestLockedState(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": crashy(false)})
	mustRampart(t, dir, "init")

	// Hold the lock from this (live) process, as a concurrent apply would.
	backend := state.NewLocal(filepath.Join(dir, "rampart.state"))
	host, _ := os.Hostname()
	unlock, err := backend.Lock(context.Background(), &state.LockInfo{
		ID: "0123456789abcdef", Operation: "apply", Who: "alice@" + host, PID: os.Getpid(), Host: host,
		Created: time.Date(2026, 11, 21, 23, 10, 5, 0, time.UTC), Version: "0.1.0-dev",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	start := time.Now()
	r := rampart(t, dir, "apply", "-auto-approve")
	if r.code != 1 {
		t.Fatalf("apply on a locked state exited %d, want 1", r.code)
	}
	if waited := time.Since(start); waited > 20*time.Second {
		t.Fatalf("apply waited %s for the lock without -lock-timeout", waited)
	}
	golden(t, "locked_state", normalize(r.stderr, dir))
	if list := mustRampart(t, dir, "state", "list").stdout; list != "" {
		t.Fatalf("the refused apply changed state: %q", list)
	}

	// With -lock-timeout it waits, and proceeds once the lock is released.
	done := make(chan result, 1)
	go func() { done <- rampart(t, dir, "apply", "-auto-approve", "-lock-timeout=30s") }()
	select {
	case r := <-done:
		t.Fatalf("apply -lock-timeout=30s returned (exit %d) while the lock was still held:\n%s", r.code, r.stderr)
	case <-time.After(time.Second):
		// Still waiting for the lock, as it should.
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.code != 0 {
		t.Fatalf("apply with -lock-timeout exited %d after the lock was released:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPluginExitsDuringApply: a provider that dies mid-apply gives an error naming the
// provider and the instance, and state keeps everything applied before.
func TestPluginExitsDuringApply(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": crashy(true)})
	mustRampart(t, dir, "init")
	r := rampart(t, dir, "apply", "-auto-approve")
	if r.code != 1 {
		t.Fatalf("apply with a crashing plugin exited %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`Provider "crashy" exited unexpectedly while applying waf.second`,
		"crashprovider: simulated crash while applying waf.second",
		"State was saved after every instance that completed before the crash",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	list := mustRampart(t, dir, "state", "list").stdout
	if list != "waf.first\n" {
		t.Fatalf("state after the crash lists %q, want only waf.first", list)
	}
	// The next plan continues from there: only waf.second remains to create.
	plan := mustRampart(t, dir, "plan", "-json").stdout
	if !strings.Contains(plan, `"address":"waf.second"`) && !strings.Contains(plan, `"address": "waf.second"`) {
		t.Fatalf("plan after the crash does not propose waf.second:\n%s", plan)
	}
}

// TestInterruptedApply: the first Ctrl-C lets the step in flight finish and saves it, starts
// nothing new, and exits non-zero with a message saying state was saved.
func TestInterruptedApply(t *testing.T) {
	config := ""
	for _, name := range []string{"a", "b", "c"} {
		config += "waf \"" + name + "\" {\n" + wafRuntime + "  crashy {\n    delay = \"1500ms\"\n  }\n}\n\n"
	}
	dir := workdir(t, map[string]string{"main.hcl": config})
	mustRampart(t, dir, "init")

	cmd := exec.Command(filepath.Join(binDir, "rampart"), "-chdir="+dir, "apply", "-auto-approve", "-parallelism=1")
	var stderr bytes.Buffer
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt as soon as the first instance reports progress.
	var seen strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), ": applying waf.") {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("interrupted apply: %v, want exit 1\nstdout:\n%s\nstderr:\n%s", err, seen.String(), stderr.String())
	}
	for _, want := range []string{"Interrupt received", "apply interrupted. State was saved"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	list := strings.Fields(mustRampart(t, dir, "state", "list").stdout)
	if len(list) != 1 {
		t.Fatalf("after the interrupt, state lists %v; want exactly the one instance that was in flight", list)
	}
}

// TestKilledApplyLosesNothing: rampart killed outright in the middle of an apply leaves a
// valid state holding what completed, and a lock whose holder is dead; the next apply
// takes the stale lock over (saying so), and finishes the job.
func TestKilledApplyLosesNothing(t *testing.T) {
	config := ""
	for _, name := range []string{"a", "b", "c"} {
		config += "waf \"" + name + "\" {\n" + wafRuntime + "  crashy {\n    delay = \"1s\"\n  }\n}\n\n"
	}
	dir := workdir(t, map[string]string{"main.hcl": config})
	mustRampart(t, dir, "init")

	cmd := exec.Command(filepath.Join(binDir, "rampart"), "-chdir="+dir, "apply", "-auto-approve", "-parallelism=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Creation complete") {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if _, err := os.Stat(filepath.Join(dir, "rampart.state.lock")); err != nil {
		t.Fatalf("the killed apply left no lock file to take over: %v", err)
	}
	list := strings.Fields(mustRampart(t, dir, "state", "list").stdout)
	if len(list) < 1 || len(list) > 2 {
		t.Fatalf("after the kill, state lists %v; want the instance(s) completed before it", list)
	}

	r := mustRampart(t, dir, "apply", "-auto-approve")
	if !strings.Contains(r.stderr, "Warning:") || !strings.Contains(r.stderr, "stale") {
		t.Errorf("taking over the dead apply's lock was not reported:\n%s", r.stderr)
	}
	want := fmt.Sprintf("Apply complete! Appliances: %d added", 3-len(list))
	if !strings.Contains(r.stdout, want) {
		t.Fatalf("second apply did not finish the job (%q):\n%s", want, r.stdout)
	}
	if got := strings.Fields(mustRampart(t, dir, "state", "list").stdout); len(got) != 3 {
		t.Fatalf("state after the second apply: %v", got)
	}
}

// TestPluginChangedAfterInit: a provider binary that differs from the checksum `rampart
// init` recorded is refused before it runs, with what to do.
func TestPluginChangedAfterInit(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": "waf \"shop\" {\n" + wafRuntime + "  local {}\n}\n"})
	// A copy in .rampart/plugins/ wins over the one next to rampart.
	plugins := filepath.Join(dir, ".rampart", "plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	original, err := os.ReadFile(filepath.Join(binDir, "rampart-provider-local"))
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(plugins, "rampart-provider-local")
	if err := os.WriteFile(copyPath, original, 0o755); err != nil {
		t.Fatal(err)
	}
	mustRampart(t, dir, "init")
	// Someone swaps the binary: here, one byte appended.
	if err := os.WriteFile(copyPath, append(original, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	r := rampart(t, dir, "plan")
	if r.code != 1 {
		t.Fatalf("plan with a changed plugin exited %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{`Provider "local" cannot be used`, `the plugin changed since "rampart init"`, "rampart init -upgrade"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestIgnoreChanges: lifecycle { ignore_changes } keeps the named settings, or all of
// them, runtime and placement, as they were applied, whatever the configuration says now.
func TestIgnoreChanges(t *testing.T) {
	config := func(lifecycle, port, member, delay string) string {
		return `
waf "shop" {
  listen {
    http = ` + port + `
  }
  server_pool "app" {
    member {
      address = "` + member + `"
    }
  }
  site "default" {
    pool = "app"
  }
  crashy {
    delay = "` + delay + `"
  }
  lifecycle {
    ` + lifecycle + `
  }
}
`
	}
	dir := workdir(t, map[string]string{"main.hcl": config("prevent_destroy = false", "18999", "127.0.0.1:9", "1ms")})
	mustRampart(t, dir, "init")
	mustRampart(t, dir, "apply", "-auto-approve")

	edits := []string{"18998", "127.0.0.1:10", "2ms"} // what the edited configuration changes
	for _, tt := range []struct {
		lifecycle string
		wantCode  int      // plan -detailed-exitcode: 0 no changes, 2 changes
		shown     []string // edits the plan shows; the others it must not
	}{
		// Without ignore_changes every edit shows: the cases below can only pass
		// because of it.
		{"prevent_destroy = false", 2, edits},
		{"ignore_changes = all", 0, nil},
		{"ignore_changes = [listen]", 2, []string{"127.0.0.1:10", "2ms"}},
		{"ignore_changes = [listen, crashy.delay]", 2, []string{"127.0.0.1:10"}},
		{"ignore_changes = [listen, server_pool, crashy.delay]", 0, nil},
	} {
		t.Run(tt.lifecycle, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config(tt.lifecycle, "18998", "127.0.0.1:10", "2ms")), 0o644); err != nil {
				t.Fatal(err)
			}
			r := rampart(t, dir, "plan", "-detailed-exitcode")
			if r.code != tt.wantCode {
				t.Fatalf("plan exited %d, want %d:\n%s%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, edit := range edits {
				if shown := strings.Contains(r.stdout, edit); shown != slices.Contains(tt.shown, edit) {
					t.Errorf("plan shows %q: %v, want %v:\n%s", edit, shown, !shown, r.stdout)
				}
			}
		})
	}
}
