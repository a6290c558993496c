// Package procstat reads what the side-by-side benchmarks measure of a process from /proc:
// its CPU time (and its descendants'), its memory and open descriptors, and how busy the
// whole machine was. Linux only; no cgo.
package procstat

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat. Linux reports these in
// USER_HZ, which is 100 on every architecture's user ABI (sysconf(_SC_CLK_TCK)), so a
// CGO-free program can rely on it.
const clockTick = 10 * time.Millisecond

// CPU returns the user+system CPU time a process (all its threads) has used so far.
func CPU(pid int) (time.Duration, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.utime+st.stime) * clockTick, nil
}

// TreeCPU returns the CPU time used by pid and its living descendants (nginx's master and
// its workers). The tree is listed on every call, so a worker that starts later counts.
func TreeCPU(pid int) (time.Duration, error) {
	pids, err := Tree(pid)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, p := range pids {
		cpu, err := CPU(p)
		if err != nil {
			if p == pid {
				return 0, err
			}
			continue // a descendant that exited between listing and reading
		}
		total += cpu
	}
	return total, nil
}

// Tree returns root followed by all its descendants, from /proc.
func Tree(root int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list /proc: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readProcStat(pid)
		if err != nil {
			continue // exited meanwhile
		}
		children[st.ppid] = append(children[st.ppid], pid)
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree, nil
}

type procStat struct {
	ppid         int
	utime, stime int64 // clock ticks
}

func readProcStat(pid int) (procStat, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, fmt.Errorf("read CPU time of process %d: %w", pid, err)
	}
	return parseProcStat(string(data))
}

// parseProcStat reads the fields of /proc/<pid>/stat this harness needs (proc(5)). The
// command name, field 2, is in parentheses and may itself contain spaces and ")", so the
// fields are counted from the last ")".
func parseProcStat(line string) (procStat, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("malformed /proc stat line %q", line)
	}
	// After the name: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9)
	// minflt(10) cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15).
	fields := strings.Fields(line[end+1:])
	if len(fields) < 13 {
		return procStat{}, fmt.Errorf("short /proc stat line %q", line)
	}
	var st procStat
	var err error
	if st.ppid, err = strconv.Atoi(fields[1]); err != nil {
		return procStat{}, fmt.Errorf("ppid in /proc stat: %w", err)
	}
	if st.utime, err = strconv.ParseInt(fields[11], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("utime in /proc stat: %w", err)
	}
	if st.stime, err = strconv.ParseInt(fields[12], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("stime in /proc stat: %w", err)
	}
	return st, nil
}

// MachineBusy returns the CPU time all cores have spent busy (not idle or waiting on
// I/O), from the first line of /proc/stat. It tells how much else ran during a window.
func MachineBusy() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat first line %q", line)
	}
	// cpu user nice system idle iowait irq softirq [steal guest guest_nice]: count
	// user..softirq but idle and iowait. Steal is the hypervisor's, and guest time is
	// already included in user.
	var busy int64
	for i, f := range fields[1:8] {
		if i == 3 || i == 4 {
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat field %q: %w", f, err)
		}
		busy += v
	}
	return time.Duration(busy) * clockTick, nil
}

// Footprint is the memory and descriptors of a process and its descendants (a proxy and
// its helper processes), summed.
type Footprint struct {
	PeakRSS int64 // bytes: the sum of each process's VmHWM
	RSS     int64 // bytes: the sum of VmRSS now
	FDs     int   // open descriptors
}

// TreeFootprint reads the Footprint of root and its living descendants from /proc.
func TreeFootprint(root int) (Footprint, error) {
	pids, err := Tree(root)
	if err != nil {
		return Footprint{}, err
	}
	var f Footprint
	for _, pid := range pids {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
		if err != nil {
			if pid == root {
				return f, fmt.Errorf("read memory of process %d: %w", pid, err)
			}
			continue // a helper that exited meanwhile
		}
		hwm, rss := parseStatusMemory(string(data))
		f.PeakRSS += hwm
		f.RSS += rss
		fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
		if err != nil && pid == root {
			return f, fmt.Errorf("count descriptors of process %d: %w", pid, err)
		}
		f.FDs += len(fds)
	}
	return f, nil
}

// parseStatusMemory returns VmHWM and VmRSS, in bytes, from a /proc/<pid>/status text.
func parseStatusMemory(status string) (hwm, rss int64) {
	for line := range strings.SplitSeq(status, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		fields := strings.Fields(value) // "1234 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if name == "VmHWM" {
			hwm = kb << 10
		} else {
			rss = kb << 10
		}
	}
	return hwm, rss
}
