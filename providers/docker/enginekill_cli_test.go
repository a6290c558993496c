package docker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/rampart-sec/rampart/providers/docker/e2etest"
)

// engineKillConfig places three WAFs on the private engine (created one at a time).
const engineKillConfig = `
provider "docker" {
  host = %q
}

waf "kill" {
  for_each = toset(["a", "b", "c"])

  listen {
    address = "0.0.0.0"
    http    = 8080
  }
  admin {
    listen = "0.0.0.0:9901"
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "default" {
    pool = "app"
    policy {
      mode = "off"
    }
  }
  docker {
    managed_network {
      name   = "rampart_clikill"
      subnet = %q
    }
  }
}
`

// TestCLIApplySurvivesEngineKill is issue 4's engine-kill check through the real CLI and
// its state: dockerd is killed while the second of three appliances is being created
// (its container exists, not yet started); the apply fails saying the engine went away,
// state keeps the first, and once dockerd is back the next apply completes with exactly
// three containers, one per instance: the half-created one is replaced, not duplicated.
func TestCLIApplySurvivesEngineKill(t *testing.T) {
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1")
	}
	if !runInPrivateNetns(t) {
		return
	}
	engine := startPrivateEngine(t)
	src := t.TempDir()
	config := fmt.Sprintf(engineKillConfig, engine.host, fmt.Sprintf("10.233.%d.0/24", rand.IntN(250)+1))
	if err := os.WriteFile(filepath.Join(src, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	c := e2etest.NewCLI(t, src, "")
	c.Must("init")

	// The first apply: kill the engine as soon as one appliance is complete.
	apply := c.Command("apply", "-auto-approve", "-parallelism=1")
	stdout, err := apply.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	apply.Stderr = apply.Stdout
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := bufio.NewScanner(stdout)
	killed, created := false, 0
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "created container") {
			created++
		}
		if !killed && created == 2 {
			engine.stop(syscall.SIGKILL)
			killed = true
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = apply.Wait()
	t.Logf("apply with the engine killed:\n%s", out.String())
	var exit *exec.ExitError
	if !killed || !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("apply: killed the engine %v, exit %v; want the engine killed and exit status 1", killed, err)
	}
	if !strings.Contains(out.String(), "Docker engine unavailable") || !strings.Contains(out.String(), "re-run apply") {
		t.Errorf("the failed apply does not say the Docker engine went away and what to do")
	}
	inState := strings.Fields(c.Must("state", "list"))
	if len(inState) != 1 {
		t.Fatalf("state after the failed apply lists %v, want the one appliance created before the kill", inState)
	}

	// dockerd back: the next apply finishes the work, without duplicates.
	engine.start()
	c.Must("apply", "-auto-approve")
	inState = strings.Fields(c.Must("state", "list"))
	if len(inState) != 3 {
		t.Fatalf("state after the second apply lists %v, want three appliances", inState)
	}
	containers := e2etest.Containers(t, engine.client(), c.Lineage("rampart.state"))
	var ids []string
	for _, ctr := range containers {
		if ctr.State != "running" {
			t.Errorf("container %s is %s, want running", ctr.Names, ctr.State)
		}
		ids = append(ids, ctr.ID)
	}
	if len(containers) != 3 {
		t.Fatalf("the engine has %d containers of this state, want exactly 3: %v", len(containers), ids)
	}
	for _, addr := range inState {
		pl, _ := c.Placement(addr)
		if !slices.Contains(ids, pl.ContainerID) {
			t.Errorf("%s records container %s, which is not among the engine's: %v", addr, shortID(pl.ContainerID), ids)
		}
	}
	if code, plan := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Errorf("plan after the recovery exited %d, want 0 (no changes):\n%s", code, plan)
	}
	c.Must("destroy", "-auto-approve")
	if left := e2etest.Containers(t, engine.client(), c.Lineage("rampart.state")); len(left) != 0 {
		t.Errorf("destroy left %d containers", len(left))
	}
}
