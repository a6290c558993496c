package main

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

// procCPU returns the user+system CPU time a process (all its threads) has used so far.
func procCPU(pid int) (time.Duration, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.utime+st.stime) * clockTick, nil
}

// treeCPU returns the CPU time used by pid and its living descendants (nginx's master and
// its workers). The tree is listed on every call, so a worker that starts later counts.
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
			continue // a descendant that exited between listing and reading
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

// machineBusy returns the CPU time all cores have spent busy (not idle or waiting on
// I/O), from the first line of /proc/stat. It tells how much else ran during a window.
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
