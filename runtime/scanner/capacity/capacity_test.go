package capacity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRoot builds a file tree with the given files (path → content) for ReadLimits.
func fakeRoot(t *testing.T, files map[string]string) Root {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Root(root)
}

const meminfo = "MemTotal:       16000000 kB\nMemFree:         1000 kB\nSwapTotal:       2000000 kB\n"

func TestReadLimits(t *testing.T) {
	cases := []struct {
		name                 string
		files                map[string]string
		wantMemory, wantSwap int64
		wantCPUs             float64
		wantSource           string
	}{
		{
			name:       "unlimited: the host's",
			files:      map[string]string{"proc/meminfo": meminfo, "proc/1/cgroup": "0::/\n", "sys/fs/cgroup/cgroup.controllers": "cpu memory", "sys/fs/cgroup/scan/memory.max": "max\n"},
			wantMemory: 16000000 << 10, wantSwap: 2000000 << 10, wantSource: "host",
		},
		{
			name: "cgroup v2 child with 128 MiB, no swap, half a CPU",
			files: map[string]string{
				"proc/meminfo": meminfo, "proc/1/cgroup": "0::/scan\n", "sys/fs/cgroup/cgroup.controllers": "cpu memory",
				"sys/fs/cgroup/scan/memory.max": "134217728\n", "sys/fs/cgroup/scan/memory.swap.max": "0\n", "sys/fs/cgroup/scan/cpu.max": "50000 100000\n",
			},
			wantMemory: 128 << 20, wantSwap: 0, wantCPUs: 0.5, wantSource: "cgroup v2 /scan memory.max",
		},
		{
			name: "cgroup v2 limit set on the parent binds the child",
			files: map[string]string{
				"proc/meminfo": meminfo, "proc/1/cgroup": "0::/parent/child\n", "sys/fs/cgroup/cgroup.controllers": "cpu memory",
				"sys/fs/cgroup/parent/memory.max": "268435456\n", "sys/fs/cgroup/parent/child/memory.max": "max\n",
			},
			wantMemory: 256 << 20, wantSwap: 2000000 << 10, wantSource: "cgroup v2 /parent memory.max",
		},
		{
			name: "cgroup v1 memory with memsw and a CFS quota",
			files: map[string]string{
				"proc/meminfo":  meminfo,
				"proc/1/cgroup": "4:memory:/docker/abc\n1:cpu,cpuacct:/docker/abc\n0::/\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes":       "1073741824\n",
				"sys/fs/cgroup/memory/docker/abc/memory.memsw.limit_in_bytes": "2147483648\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes":                  "9223372036854771712\n",
				"sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us":               "100000\n",
				"sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us":              "100000\n",
			},
			wantMemory: 1 << 30, wantSwap: 1 << 30, wantCPUs: 1, wantSource: "cgroup v1 /docker/abc memory.limit_in_bytes",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := fakeRoot(t, tc.files).ReadLimits(1)
			if l.MemoryBytes != tc.wantMemory || l.SwapBytes != tc.wantSwap {
				t.Errorf("memory %d swap %d, want %d and %d", l.MemoryBytes, l.SwapBytes, tc.wantMemory, tc.wantSwap)
			}
			if tc.wantCPUs > 0 && l.CPUs != tc.wantCPUs {
				t.Errorf("CPUs %v, want %v", l.CPUs, tc.wantCPUs)
			}
			if !strings.HasPrefix(l.MemorySource, tc.wantSource) {
				t.Errorf("memory source %q, want %q", l.MemorySource, tc.wantSource)
			}
		})
	}
}

func TestDeriveFollowsTheLimits(t *testing.T) {
	big := Derive(Limits{MemoryBytes: 16 << 30, CPUs: 2, OpenFiles: 1 << 20})
	small := Derive(Limits{MemoryBytes: 128 << 20, CPUs: 0.5, OpenFiles: 1 << 20})
	if small.InFlight >= big.InFlight || small.ParallelHosts >= big.ParallelHosts {
		t.Errorf("128 MiB / 0.5 CPU gives %d in flight, %d hosts; 16 GiB / 2 CPUs gives %d, %d: the small one must be lower",
			small.InFlight, small.ParallelHosts, big.InFlight, big.ParallelHosts)
	}
	// The probes' own memory must fit in half the limit.
	if int64(small.InFlight)*bytesPerProbe > (128<<20)/2 {
		t.Errorf("%d probes × %d B exceed half of 128 MiB", small.InFlight, bytesPerProbe)
	}
	if !strings.Contains(small.Reason, "scanning capacity") || !strings.Contains(small.Reason, "0.50 CPUs") {
		t.Errorf("reason %q does not explain the capacity", small.Reason)
	}
	files := Derive(Limits{MemoryBytes: 16 << 30, CPUs: 8, OpenFiles: 1024})
	if files.InFlight != 1024-reservedFiles || !strings.Contains(files.Reason, "open-files") {
		t.Errorf("with 1024 open files: %d in flight (%s)", files.InFlight, files.Reason)
	}
}
