package engine_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/internal/gctune"
)

// plan1000Config declares 1,000 WAF instances with for_each; each listens on its own
// loopback ports so all of them can run at once.
const plan1000Config = `
locals {
  ids = toset([for i in range(1000) : format("%04d", i)])
}

waf "edge" {
  for_each = local.ids

  listen {
    http = 20000 + tonumber(each.key)
  }
  admin {
    listen = "127.0.0.1:${22000 + tonumber(each.key)}"
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "default" {
    pool = "app"
    # The benchmark measures the engine, not the rule engine: with rules off, the
    # 1,000 runtimes do not each compile the Core Rule Set.
    policy {
      mode = "off"
    }
  }
  local {}
}
`

// BenchmarkPlan1000 measures a no-change plan of 1,000 appliance instances against the
// local provider: the state already matches, so the whole cost is the engine's (load,
// graph, one bulk Observe, 1,000 provider Plan calls, diff). Setup applies the 1,000
// instances for real (1,000 rampart-waf processes on loopback) and destroys them at the end.
func BenchmarkPlan1000(b *testing.B) {
	if testing.Short() {
		b.Skip("starts 1,000 processes")
	}
	bin := b.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", bin+"/",
		"github.com/rampart-sec/rampart/cmd/rampart",
		"github.com/rampart-sec/rampart/cmd/rampart-provider-local",
		"github.com/rampart-sec/rampart/cmd/rampart-waf")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(plan1000Config), 0o644); err != nil {
		b.Fatal(err)
	}
	rampart := func(args ...string) {
		cmd := exec.Command(filepath.Join(bin, "rampart"), append([]string{"-chdir=" + dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("rampart %s: %v\n%s", strings.Join(args, " "), err, tail(out))
		}
	}
	rampart("init")
	b.Cleanup(func() { rampart("destroy", "-auto-approve", "-parallelism=20") })
	rampart("apply", "-auto-approve", "-parallelism=20")
	b.Setenv("RAMPART_PLUGIN_PATH", bin)
	// The engine runs in this process: collect garbage as the rampart CLI does.
	old := debug.SetGCPercent(100)
	b.Cleanup(func() { debug.SetGCPercent(old) })
	gctune.ForShortLivedProcess()

	for _, refresh := range []bool{true, false} {
		b.Run(fmt.Sprintf("refresh=%v", refresh), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e, diags := engine.Open(engine.Options{Dir: dir, Refresh: refresh})
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				p, diags := e.Plan(context.Background(), engine.PlanOptions{})
				e.Close()
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				if p.HasChanges() || len(p.Changes) != 1000 {
					b.Fatalf("plan has changes or %d instances, want 1000 unchanged", len(p.Changes))
				}
			}
		})
	}
}

func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}
