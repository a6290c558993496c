package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/lab"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

const (
	cgroupMemoryLimit = 128 << 20
	cgroupCPUQuota    = 50000 // of a 100000 µs period: half a CPU
)

// limitedCgroup is a cgroup this test made: v2 where /sys/fs/cgroup is unified, else the v1
// memory and cpu hierarchies. enter is a shell prefix that moves the shell into it.
type limitedCgroup struct {
	dirs []string
	v2   bool
}

func newLimitedCgroup(t *testing.T) *limitedCgroup {
	t.Helper()
	name := fmt.Sprintf("rampart-scanner-test-%d", os.Getpid())
	cg := &limitedCgroup{}
	write := func(path, value string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
			t.Fatalf("cgroup: write %s: %v", path, err)
		}
	}
	mkdir := func(dir string) {
		t.Helper()
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatalf("create cgroup %s: %v (the capacity test needs root and a writable cgroup file system)", dir, err)
		}
		cg.dirs = append(cg.dirs, dir)
		t.Cleanup(func() { os.Remove(dir) }) // runs after the scanner exited: the cgroup is empty
	}
	if controllers, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil && strings.Contains(string(controllers), "memory") {
		cg.v2 = true
		// Controllers must be enabled for children of the root before a child can use them.
		_ = os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+memory +cpu"), 0o644)
		dir := filepath.Join("/sys/fs/cgroup", name)
		mkdir(dir)
		write(filepath.Join(dir, "memory.max"), strconv.Itoa(cgroupMemoryLimit))
		write(filepath.Join(dir, "memory.swap.max"), "0")
		write(filepath.Join(dir, "cpu.max"), fmt.Sprintf("%d 100000", cgroupCPUQuota))
		return cg
	}
	memory := filepath.Join("/sys/fs/cgroup/memory", name)
	cpu := filepath.Join("/sys/fs/cgroup/cpu", name)
	mkdir(memory)
	mkdir(cpu)
	write(filepath.Join(memory, "memory.limit_in_bytes"), strconv.Itoa(cgroupMemoryLimit))
	write(filepath.Join(cpu, "cpu.cfs_period_us"), "100000")
	write(filepath.Join(cpu, "cpu.cfs_quota_us"), strconv.Itoa(cgroupCPUQuota))
	return cg
}

// enter is the shell command that moves the shell into every directory of the cgroup.
func (cg *limitedCgroup) enter() string {
	var parts []string
	for _, d := range cg.dirs {
		parts = append(parts, fmt.Sprintf("echo $$ > %s/cgroup.procs", d))
	}
	return strings.Join(parts, " && ")
}

// peak is the most memory the cgroup used (memory.peak in v2, max_usage_in_bytes in v1).
func (cg *limitedCgroup) peak(t *testing.T) int64 {
	file := filepath.Join(cg.dirs[0], "memory.max_usage_in_bytes")
	if cg.v2 {
		file = filepath.Join(cg.dirs[0], "memory.peak")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func buildScanner(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rampart-scanner")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/rampart-sec/rampart/cmd/rampart-scanner")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build rampart-scanner: %v\n%s", err, out)
	}
	return bin
}

// The same full-port scan of the lab inside a 128 MB / 0.5 CPU cgroup: the scanner reports a
// lower capacity than unlimited (and why), stays under the limit and finds every open port.
func TestCapacityFollowsCgroupLimits(t *testing.T) {
	l := standardLab(t)
	bin := buildScanner(t)
	cg := newLimitedCgroup(t)
	names := []string{lab.HostWeak, lab.HostHardened, lab.HostDB, lab.HostFiltered}
	args := []string{bin, "scan", "-json", "-ports", "all", "-services=false"}
	for _, n := range names {
		args = append(args, l.Host(n).Addr.String())
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("sh", append([]string{"-c", cg.enter() + ` && exec "$@"`, "sh"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("scan in cgroup: %v\n%s", err, stderr.String())
	}
	t.Logf("limited scan took %s, peak memory %d MiB", time.Since(start).Round(time.Millisecond), cg.peak(t)>>20)
	var out struct {
		Summary  results.Summary   `json:"summary"`
		Capacity capacity.Capacity `json:"scanning_capacity"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("decode scan output: %v\n%s", err, stdout.String())
	}
	unlimited := capacity.Derive(capacity.ReadLimits())
	if out.Capacity.InFlight >= unlimited.InFlight || out.Capacity.ParallelHosts >= unlimited.ParallelHosts {
		t.Errorf("capacity in the cgroup: %d in flight, %d hosts; unlimited: %d, %d; want lower",
			out.Capacity.InFlight, out.Capacity.ParallelHosts, unlimited.InFlight, unlimited.ParallelHosts)
	}
	if out.Capacity.Limits.MemoryBytes != cgroupMemoryLimit || out.Capacity.Limits.CPUs != 0.5 || !strings.Contains(out.Capacity.Reason, "cgroup") {
		t.Errorf("limits read in the cgroup: %+v (%s)", out.Capacity.Limits, out.Capacity.Reason)
	}
	if peak := cg.peak(t); peak >= cgroupMemoryLimit {
		t.Errorf("peak memory %d B reached the %d B limit", peak, cgroupMemoryLimit)
	}
	for i, h := range out.Summary.Hosts {
		want := slices.Sorted(slices.Values(l.Host(names[i]).Open))
		if got := openPorts(h); !slices.Equal(got, want) {
			t.Errorf("%s: open %v, want %v", names[i], got, want)
		}
	}
}
