package docker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// privateEngine is a second dockerd this test starts and may kill: its own socket, data
// root, exec root and pid file, in a network namespace of its own (see
// runInPrivateNetns), so its bridge, iptables rules and interfaces can never touch the
// system engine that other tests use. (On the host, even with a bridge of its own, a
// second dockerd was seen deleting the system engine's docker0.)
type privateEngine struct {
	t    *testing.T
	dir  string
	host string
	cmd  *exec.Cmd
}

// privateNetnsEnv marks the copy of the test binary that runs inside the namespace.
const privateNetnsEnv = "RAMPART_TEST_PRIVATE_NETNS"

// runInPrivateNetns runs the calling test again, alone, in a new network namespace, and
// reports its result; it returns true in that copy, which then does the work. The
// namespace has only its loopback: what the test's dockerd creates stays inside it.
func runInPrivateNetns(t *testing.T) (inside bool) {
	t.Helper()
	if os.Getenv(privateNetnsEnv) == "1" {
		return true
	}
	for _, tool := range []string{"ip", "nsenter", "dockerd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test runs its own dockerd in a network namespace: install iproute2, util-linux and docker.io (or set RAMPART_SKIP_DOCKER=1): %v", err)
		}
	}
	ns := "rampart-test-" + randomHex(t, 4)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("create network namespace %s (needs root): %v: %s", ns, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("bring up loopback in %s: %v: %s", ns, err, out)
	}
	// nsenter, not `ip netns exec`: the latter also mounts a new /sys, which hides the
	// cgroup hierarchy dockerd needs.
	cmd := exec.Command("nsenter", "--net=/var/run/netns/"+ns, os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.timeout", "5m")
	cmd.Env = append(os.Environ(), privateNetnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("inside network namespace %s:\n%s", ns, out)
	if err != nil {
		t.Fatalf("the test failed inside its network namespace: %v", err)
	}
	return false
}

// startPrivateEngine starts dockerd in a temporary directory and waits until it answers.
// Call it only inside runInPrivateNetns.
func startPrivateEngine(t *testing.T) *privateEngine {
	t.Helper()
	// Short paths: containerd's socket lives under the exec root and unix socket paths are
	// limited to 108 bytes.
	dir, err := os.MkdirTemp("", "rd-")
	if err != nil {
		t.Fatal(err)
	}
	e := &privateEngine{t: t, dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock")}
	t.Cleanup(func() {
		e.stop(syscall.SIGTERM)
		// dockerd bind-mounts its data root; a killed one may leave the mount behind.
		_ = syscall.Unmount(filepath.Join(dir, "data"), syscall.MNT_DETACH)
		_ = os.RemoveAll(dir)
	})
	e.start()
	return e
}

func (e *privateEngine) start() {
	e.t.Helper()
	logFile, err := os.OpenFile(filepath.Join(e.dir, "dockerd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	defer logFile.Close()
	// A killed dockerd's containerd dies with it, but where nothing reaps orphans (pid 1 of
	// a container) it stays a zombie, and a stale pid file naming it makes the next dockerd
	// wait for a containerd that will never answer.
	_ = os.Remove(filepath.Join(e.dir, "x", "containerd", "containerd.pid"))
	e.cmd = exec.Command("dockerd",
		"-H", e.host,
		"--data-root", filepath.Join(e.dir, "data"),
		"--exec-root", filepath.Join(e.dir, "x"),
		"--pidfile", filepath.Join(e.dir, "dockerd.pid"),
		"--storage-driver=vfs",
		"--default-address-pool", "base=10.233.0.0/16,size=24",
	)
	e.cmd.Stdout, e.cmd.Stderr = logFile, logFile
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		e.t.Fatalf("start dockerd: %v", err)
	}
	cli := e.client()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := cli.Ping(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || e.cmd.ProcessState != nil {
			log, _ := os.ReadFile(filepath.Join(e.dir, "dockerd.log"))
			e.t.Fatalf("the private dockerd did not answer within 60s: %v\n%s", err, tail(string(log), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop signals the dockerd this test started (by its pid) and waits for it.
func (e *privateEngine) stop(sig syscall.Signal) {
	if e.cmd == nil || e.cmd.Process == nil {
		return
	}
	_ = e.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = e.cmd.Process.Kill()
		<-done
	}
	e.cmd = nil
}

func (e *privateEngine) client() *client.Client {
	cli, err := newClient(endpoint{host: e.host})
	if err != nil {
		e.t.Fatal(err)
	}
	return cli
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestApplySurvivesEngineKill kills the private dockerd while an apply waits for the new
// container, checks the error says what happened, restarts the engine and applies
// again: the apply completes and exactly one container of the instance exists.
func TestApplySurvivesEngineKill(t *testing.T) {
	if os.Getenv("RAMPART_SKIP_DOCKER") == "1" {
		t.Skip("RAMPART_SKIP_DOCKER=1")
	}
	if !runInPrivateNetns(t) {
		return
	}
	engine := startPrivateEngine(t)
	p := newPlacement()
	p.engine.set(engine.client())
	p.runtimeDir = staticWAF(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.kill", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	// On a managed network, whose bridge the private engine creates and removes.
	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "kill.example"), Placement: dockerPlacement(map[string]cty.Value{
		attrManagedNetwork: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("rampart_kill"), "subnet": cty.StringVal(fmt.Sprintf("10.233.%d.0/24", rand.IntN(250)+1)), "internal": cty.NullVal(cty.Bool)})}),
	})}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)

	killed := make(chan struct{})
	first := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config},
		func(format string, args ...any) {
			t.Logf(format, args...)
			if strings.HasPrefix(format, "created container") {
				engine.stop(syscall.SIGKILL)
				close(killed)
			}
		})
	select {
	case <-killed:
	default:
		t.Fatal("the apply never reached the container creation")
	}
	if !first.Diagnostics.HasErrors() {
		t.Fatal("apply succeeded although dockerd was killed during it")
	}
	msg := first.Diagnostics.Err().Error()
	t.Logf("apply with the engine killed: %s", msg)
	if !strings.Contains(msg, "Docker engine") || !strings.Contains(msg, "re-run apply") {
		t.Errorf("error %q does not say the engine went away and what to do", msg)
	}

	engine.start()
	p.engine.set(engine.client())
	second := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
	mustNoErrors(t, second.Diagnostics)
	cli := engine.client()
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", labelLineage+"="+inst.Lineage))})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != shape.String(second.New.Placement, attrContainerID) || list[0].State != "running" {
		t.Fatalf("after the second apply the engine has %d containers of the instance, want exactly the new one running: %+v", len(list), list)
	}
	mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: inst, Prior: second.New}, progressLog(t)))
}
