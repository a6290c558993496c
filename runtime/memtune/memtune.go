// Package memtune sets a runtime's garbage collector for a long-running, allocation-heavy
// server: collect less often (the WAF's rule engine allocates a lot per request, and with
// Go's default GOGC=100 the collector took a fifth of its CPU), but never let the heap
// outgrow the container: a soft memory limit below the cgroup's makes the collector work
// harder as the limit nears instead of the kernel killing the process.
package memtune

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// GCPercent is the collector target used unless GOGC is set.
const GCPercent = 400

// limitShare is the part of the cgroup memory limit the Go heap may use; the rest is for
// goroutine stacks, buffers outside the heap and the kernel's accounting of page cache.
const limitShare = 0.8

// Settings is what Apply decided, for the start-up log.
type Settings struct {
	GCPercent   int   // -1 when left to GOGC
	MemoryLimit int64 // bytes; 0 when none was set
}

// Apply tunes the collector unless GOGC or GOMEMLIMIT say otherwise.
func Apply() Settings {
	s := Settings{GCPercent: -1}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
		s.GCPercent = GCPercent
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if limit, ok := cgroupMemoryLimit(); ok {
			s.MemoryLimit = int64(float64(limit) * limitShare)
			debug.SetMemoryLimit(s.MemoryLimit)
		}
	}
	return s
}

// cgroupMemoryLimit reads the memory limit of this process's cgroup (v2, then v1).
// ok is false when there is none ("max", or the v1 value meaning unlimited).
func cgroupMemoryLimit() (int64, bool) {
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		return parseLimit(string(data))
	}
	return 0, false
}

// parseLimit parses a cgroup memory limit file's content.
func parseLimit(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "max" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	// cgroup v1 reports "unlimited" as a huge page-aligned number.
	if err != nil || v <= 0 || v >= 1<<62 {
		return 0, false
	}
	return v, true
}

// MemoryLimit is the memory this process may use: its cgroup's limit (v2, then v1), else
// the host's RAM (MemTotal of /proc/meminfo); 0 when neither can be read. Caches size
// themselves as a share of it.
func MemoryLimit() int64 {
	if limit, ok := cgroupMemoryLimit(); ok {
		return limit
	}
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
