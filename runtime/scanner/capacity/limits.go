// Package capacity reads the CPU, memory and swap this process may use (its cgroup's
// limits, v1 or v2, or the host's when unlimited) and derives how much scanning it can do
// at once: probes in flight and hosts in parallel. A scanner in a 128 MB container must
// not be OOM-killed halfway through a /16, and one on a big host should not crawl.
package capacity

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Limits are the resources this process may use, and where each figure came from.
type Limits struct {
	MemoryBytes int64   `json:"memory_bytes"`
	SwapBytes   int64   `json:"swap_bytes"`
	CPUs        float64 `json:"cpus"`
	OpenFiles   int64   `json:"open_files"`
	// Sources say where each figure came from, e.g. "cgroup v2 /scan memory.max".
	MemorySource string `json:"memory_source"`
	SwapSource   string `json:"swap_source"`
	CPUSource    string `json:"cpu_source"`
}

// Root is the file system root the cgroup and proc files are read from ("/" in production;
// tests point it at a fake tree).
type Root string

// ReadLimits reads the limits of this process.
func ReadLimits() Limits { return Root("/").ReadLimits(os.Getpid()) }

// ReadLimits reads the limits of process pid under root.
func (r Root) ReadLimits(pid int) Limits {
	l := Limits{CPUs: float64(runtime.NumCPU()), CPUSource: "host (" + strconv.Itoa(runtime.NumCPU()) + " CPUs)"}
	l.MemoryBytes, l.SwapBytes = r.hostMemory()
	l.MemorySource, l.SwapSource = "host /proc/meminfo", "host /proc/meminfo"
	// Go's runtime has already raised the soft open-files limit to (one below) the hard one
	// at start (package syscall does it on Linux), so the soft limit read here is all there is.
	var rlimit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rlimit); err == nil {
		l.OpenFiles = int64(rlimit.Cur)
	}
	groups := r.cgroupPaths(pid)
	if path, ok := groups[""]; ok && r.isV2() {
		r.applyV2(&l, path)
	}
	if path, ok := groups["memory"]; ok {
		r.applyV1Memory(&l, path)
	}
	if path, ok := groups["cpu"]; ok {
		r.applyV1CPU(&l, path)
	}
	return l
}

func (r Root) file(parts ...string) string {
	return filepath.Join(append([]string{string(r)}, parts...)...)
}

// hostMemory is MemTotal and SwapTotal of /proc/meminfo.
func (r Root) hostMemory() (memory, swap int64) {
	f, err := os.Open(r.file("proc/meminfo"))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "MemTotal:":
			memory = kb << 10
		case "SwapTotal:":
			swap = kb << 10
		}
	}
	return memory, swap
}

// cgroupPaths maps controller ("" for the v2 unified hierarchy) to the process's cgroup path.
func (r Root) cgroupPaths(pid int) map[string]string {
	paths := map[string]string{}
	data, err := os.ReadFile(r.file("proc", strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return paths
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, controller := range strings.Split(parts[1], ",") {
			paths[controller] = parts[2]
		}
	}
	return paths
}

// isV2 reports a unified hierarchy with controllers at /sys/fs/cgroup (not the empty
// "unified" mount of a hybrid v1 system).
func (r Root) isV2() bool {
	_, err := os.Stat(r.file("sys/fs/cgroup/cgroup.controllers"))
	return err == nil
}

// applyV2 lowers l to the tightest limits on the path from the cgroup up to the root: a
// parent's memory.max binds its children too.
func (r Root) applyV2(l *Limits, path string) {
	for dir := path; ; dir = filepath.Dir(dir) {
		base := r.file("sys/fs/cgroup", dir)
		if v, ok := readLimit(filepath.Join(base, "memory.max")); ok && v < l.MemoryBytes {
			l.MemoryBytes, l.MemorySource = v, "cgroup v2 "+dir+" memory.max"
		}
		if v, ok := readLimit(filepath.Join(base, "memory.swap.max")); ok && v < l.SwapBytes {
			l.SwapBytes, l.SwapSource = v, "cgroup v2 "+dir+" memory.swap.max"
		}
		if cpus, ok := readCPUMax(filepath.Join(base, "cpu.max")); ok && cpus < l.CPUs {
			l.CPUs, l.CPUSource = cpus, fmt.Sprintf("cgroup v2 %s cpu.max (%.2f CPUs)", dir, cpus)
		}
		if dir == "/" || dir == "." {
			return
		}
	}
}

func (r Root) applyV1Memory(l *Limits, path string) {
	for dir := path; ; dir = filepath.Dir(dir) {
		base := r.file("sys/fs/cgroup/memory", dir)
		memory, ok := readLimit(filepath.Join(base, "memory.limit_in_bytes"))
		if ok && memory < l.MemoryBytes {
			l.MemoryBytes, l.MemorySource = memory, "cgroup v1 "+dir+" memory.limit_in_bytes"
			// memsw is memory plus swap; the swap share is the difference.
			if both, ok := readLimit(filepath.Join(base, "memory.memsw.limit_in_bytes")); ok && both >= memory {
				l.SwapBytes, l.SwapSource = min(both-memory, l.SwapBytes), "cgroup v1 "+dir+" memory.memsw.limit_in_bytes"
			}
		}
		if dir == "/" || dir == "." {
			return
		}
	}
}

func (r Root) applyV1CPU(l *Limits, path string) {
	for dir := path; ; dir = filepath.Dir(dir) {
		base := r.file("sys/fs/cgroup/cpu", dir)
		quota, okQuota := readInt(filepath.Join(base, "cpu.cfs_quota_us"))
		period, okPeriod := readInt(filepath.Join(base, "cpu.cfs_period_us"))
		if okQuota && okPeriod && quota > 0 && period > 0 {
			if cpus := float64(quota) / float64(period); cpus < l.CPUs {
				l.CPUs, l.CPUSource = cpus, fmt.Sprintf("cgroup v1 %s cpu.cfs_quota_us (%.2f CPUs)", dir, cpus)
			}
		}
		if dir == "/" || dir == "." {
			return
		}
	}
}

// readLimit parses a memory limit file; ok is false for "max", v1's "unlimited" huge value,
// or a missing file.
func readLimit(path string) (int64, bool) {
	v, ok := readInt(path)
	if !ok || v < 0 || v >= 1<<62 {
		return 0, false
	}
	return v, true
}

func readInt(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return v, err == nil
}

// readCPUMax parses cpu.max: "quota period" or "max period".
func readCPUMax(path string) (float64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 || fields[0] == "max" {
		return 0, false
	}
	quota, err1 := strconv.ParseFloat(fields[0], 64)
	period, err2 := strconv.ParseFloat(fields[1], 64)
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0, false
	}
	return quota / period, true
}
