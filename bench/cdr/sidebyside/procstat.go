package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ, 100 on every
// Linux architecture's user ABI.
const clockTick = 10 * time.Millisecond

// processCPU is the user + system CPU time a running process (all its threads) has used.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read CPU time of process %d: %w", pid, err)
	}
	return parseProcStatCPU(string(data))
}

// parseProcStatCPU reads utime and stime (fields 14 and 15, proc(5)) of a stat line. The
// command name, field 2, is in parentheses and may contain spaces, so fields are counted
// from the last ")".
func parseProcStatCPU(line string) (time.Duration, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return 0, fmt.Errorf("malformed /proc stat line %q", line)
	}
	fields := strings.Fields(line[end+1:]) // from field 3, state
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc stat line %q", line)
	}
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("utime in /proc stat: %w", err)
	}
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stime in /proc stat: %w", err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// selfCPU is the user + system CPU time this process has used: while it sends datagrams it
// does little else, so a difference of two readings is the sender's cost.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
