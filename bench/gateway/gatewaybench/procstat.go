package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ, 100 on every
// Linux architecture's user ABI, so a CGO-free program can rely on it.
const clockTick = 10 * time.Millisecond

// footprint is the memory and descriptors of a process and its descendants (Squid and
// its certificate helpers; rampart-gateway alone), summed.
type footprint struct {
	PeakRSS int64 // bytes: the sum of each process's VmHWM
	RSS     int64 // bytes: the sum of VmRSS now
	FDs     int   // open descriptors
}

// treeFootprint reads the footprint of root and its living descendants from /proc.
func treeFootprint(root int) (footprint, error) {
	pids, err := processTree(root)
	if err != nil {
		return footprint{}, err
	}
	var f footprint
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

// procCPU returns the user+system CPU time of one process (all its threads).
func procCPU(pid int) (time.Duration, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.utime+st.stime) * clockTick, nil
}

// treeCPU returns the user+system CPU time of pid and its living descendants.
func treeCPU(pid int) (time.Duration, error) {
	pids, err := processTree(pid)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, p := range pids {
		cpu, err := procCPU(p)
		if err != nil {
			if p == pid {
				return 0, err
			}
			continue // a helper that exited meanwhile
		}
		total += cpu
	}
	return total, nil
}

// processTree returns root followed by all its descendants, from /proc.
func processTree(root int) ([]int, error) {
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

// parseProcStat reads ppid, utime and stime (proc(5)). The command name, field 2, is in
// parentheses and may itself hold spaces and ")", so fields are counted from the last ")".
func parseProcStat(line string) (procStat, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("malformed /proc stat line %q", line)
	}
	fields := strings.Fields(line[end+1:]) // state(3) ppid(4) ... utime(14) stime(15)
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

// machineBusy is the CPU time all cores have spent busy (first line of /proc/stat,
// user..softirq without idle and iowait): it tells how much else ran during a window.
func machineBusy() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat first line %q", line)
	}
	var busy int64
	for i, f := range fields[1:8] {
		if i == 3 || i == 4 { // idle, iowait
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
