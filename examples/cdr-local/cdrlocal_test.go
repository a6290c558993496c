// Package cdrlocal_test runs examples/cdr-local for real: mirror.sh builds three network
// namespaces and mirrors the workload's traffic with tc into a VXLAN device, `rampart
// apply` of main.hcl (run in the sensor namespace) starts rampart-cdr there, and the
// workload runs an nmap scan, a stratum session and a beacon. Each must produce its finding through the VXLAN path within
// seconds. Needs root, iproute2 (ip, tc) and nmap (apt-get install nmap iproute2);
// RAMPART_SKIP_NETNS=1 skips it.
package cdrlocal_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		helper, ok := helpers[name]
		if !ok {
			fmt.Fprintln(os.Stderr, "unknown helper", name)
			os.Exit(2)
		}
		if err := helper(); err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func requireTools(t *testing.T) {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_NETNS") == "1" {
		t.Skip("RAMPART_SKIP_NETNS=1")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test creates network namespaces: run it as root (or set RAMPART_SKIP_NETNS=1 to skip it)")
	}
	for tool, pkg := range map[string]string{"ip": "iproute2", "tc": "iproute2", "nmap": "nmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: apt-get install -y %s (or set RAMPART_SKIP_NETNS=1 to skip this test)", tool, pkg)
		}
	}
}

type finding struct {
	Type        string         `json:"type"`
	Source      string         `json:"source"`
	Destination string         `json:"destination"`
	VNI         uint32         `json:"vni"`
	Evidence    map[string]any `json:"evidence"`
}

type lab struct {
	prefix   string
	dir      string
	findings string
	admin    *http.Client
}

const vni = 4242

func TestLocalMirrorFindings(t *testing.T) {
	requireTools(t)
	l := &lab{prefix: fmt.Sprintf("rcdr%d", os.Getpid()%100000), dir: t.TempDir()}
	l.findings = filepath.Join(l.dir, "findings.jsonl")
	binDir := filepath.Join(l.dir, "bin")
	build := exec.Command("go", "build", "-trimpath", "-o", binDir+"/",
		"github.com/rampart-sec/rampart/cmd/rampart",
		"github.com/rampart-sec/rampart/cmd/rampart-provider-local",
		"github.com/rampart-sec/rampart/cmd/rampart-cdr")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build rampart, rampart-provider-local, rampart-cdr: %v\n%s", err, out)
	}

	t.Cleanup(func() { _ = exec.Command("./mirror.sh", "down", l.prefix).Run() })
	if out, err := exec.Command("./mirror.sh", "up", l.prefix, fmt.Sprint(vni)).CombinedOutput(); err != nil {
		t.Fatalf("mirror.sh up: %v\n%s", err, out)
	}
	l.startSensor(t, binDir)
	l.startServers(t)

	t.Run("nmap scan", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command("ip", "netns", "exec", l.prefix+"-wl",
			"nmap", "-sS", "-Pn", "-n", "-T4", "--max-retries", "1", "-p", "1-100", peerAddr).CombinedOutput()
		if err != nil {
			t.Fatalf("nmap: %v\n%s", err, out)
		}
		f := l.waitFinding(t, func(f finding) bool { return f.Type == "port_scan" && f.Source == "10.77.0.1" })
		if f.Destination != peerAddr || f.VNI != vni {
			t.Errorf("finding %+v: want a scan of %s on VNI %d", f, peerAddr, vni)
		}
		t.Logf("port scan found %s after nmap started; evidence %v", time.Since(start).Round(time.Millisecond), f.Evidence)
	})

	t.Run("stratum session", func(t *testing.T) {
		start := time.Now()
		l.runHelper(t, l.prefix+"-wl", "stratum")
		f := l.waitFinding(t, func(f finding) bool { return f.Type == "coin_miner" })
		if f.Source != "10.77.0.1" || f.Destination != peerAddr+":"+stratumPort || f.Evidence["protocol"] != "stratum" {
			t.Errorf("finding %+v: want a stratum session from 10.77.0.1 to the pool %s:%s", f, peerAddr, stratumPort)
		}
		t.Logf("coin-miner found %s after the session started", time.Since(start).Round(time.Millisecond))
	})

	t.Run("beacon", func(t *testing.T) {
		start := time.Now()
		// 40 check-ins, not the detector's minimum of 20: the quartiles of a couple of
		// dozen intervals are noisy, and on a machine busy with other tests the scheduling
		// jitter then pulled a regular beacon's score below the threshold now and then.
		l.runHelper(t, l.prefix+"-wl", "beacon", "CDR_LOCAL_BEACONS=40", "CDR_LOCAL_INTERVAL=500ms")
		f := l.waitFinding(t, func(f finding) bool { return f.Type == "c2_beacon" })
		if f.Source != "10.77.0.1" || f.Destination != peerAddr+":"+beaconPort {
			t.Errorf("finding %+v: want a beacon from 10.77.0.1 to %s:%s", f, peerAddr, beaconPort)
		}
		t.Logf("beacon found %s after the first check-in (score %v)", time.Since(start).Round(time.Millisecond), f.Evidence["score"])
	})

	st := l.status(t)
	t.Logf("sensor status: %s", st)
	if !strings.Contains(st, `"kernel": 0`) {
		t.Errorf("the sensor dropped datagrams: %s", st)
	}
}

// startSensor applies main.hcl with the real rampart CLI and local provider inside the
// sensor namespace, so the rampart-cdr they launch lives there; its admin API is a unix
// socket, reachable from here unlike the namespace's loopback. Cleanup destroys it.
func (l *lab) startSensor(t *testing.T, binDir string) {
	t.Helper()
	work := filepath.Join(l.dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	hcl, err := os.ReadFile("main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.hcl"), hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(l.dir, "admin.sock")
	rampart := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.prefix + "-sensor",
			filepath.Join(binDir, "rampart"), "-chdir=" + work}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	vars := []string{"-var", "findings_log=" + l.findings, "-var", "admin_socket=" + socket}
	if out, err := rampart("init"); err != nil {
		t.Fatalf("rampart init: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := rampart(append([]string{"destroy", "-auto-approve"}, vars...)...); err != nil {
			t.Errorf("rampart destroy: %v\n%s", err, out)
		}
	})
	out, err := rampart(append([]string{"apply", "-auto-approve"}, vars...)...)
	if err != nil {
		t.Fatalf("rampart apply: %v\n%s", err, out)
	}
	t.Logf("rampart apply:\n%s", out)
	l.admin = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	// apply waited for /healthz; this checks the socket is the one the test expects.
	resp, err := l.admin.Get("http://sensor/healthz")
	if err != nil {
		t.Fatalf("sensor admin API at %s: %v", socket, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sensor /healthz answered %d", resp.StatusCode)
	}
}

func (l *lab) status(t *testing.T) string {
	resp, err := l.admin.Get("http://sensor/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Details json.RawMessage `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return string(st.Details)
}

// startServers runs the pool and C2 servers in the peer namespace until the test ends.
func (l *lab) startServers(t *testing.T) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", l.prefix+"-peer", os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=servers")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("servers did not start: %q %v", line, err)
	}
}

// runHelper runs a helper in a namespace to completion (bounded to 60 s).
func (l *lab) runHelper(t *testing.T, ns, name string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0])
	cmd.Env = append(append(os.Environ(), helperEnv+"="+name), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper %s: %v\n%s", name, err, out)
	}
}

// waitFinding waits up to 20 s for a finding matching want in the sensor's JSON log.
func (l *lab) waitFinding(t *testing.T, want func(finding) bool) finding {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(l.findings)
		for _, line := range strings.Split(string(data), "\n") {
			var f finding
			if json.Unmarshal([]byte(line), &f) == nil && want(f) {
				return f
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching finding within 20s; findings so far:\n%s\nstatus: %s", data, l.status(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
