package main

import (
	"os"
	"os/exec"
	"testing"
)

func TestParseProcStatNameWithParentheses(t *testing.T) {
	line := "4242 (squid (worker) 1) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 100 0 0\n"
	st, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != 17 || st.utime != 250 || st.stime != 75 {
		t.Errorf("got %+v, want ppid 17 utime 250 stime 75", st)
	}
	if _, err := parseProcStat("4242 no parentheses"); err == nil {
		t.Error("malformed line accepted")
	}
}

func TestParseStatusMemory(t *testing.T) {
	status := "Name:\tsquid\nVmPeak:\t  9000 kB\nVmHWM:\t  4096 kB\nVmRSS:\t  2048 kB\nThreads:\t1\n"
	hwm, rss := parseStatusMemory(status)
	if hwm != 4096<<10 || rss != 2048<<10 {
		t.Errorf("hwm %d rss %d, want %d and %d", hwm, rss, 4096<<10, 2048<<10)
	}
}

// The footprint of a tree counts the children too (Squid's certificate helpers).
func TestTreeFootprintCountsChildren(t *testing.T) {
	alone, err := treeFootprint(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	with, err := treeFootprint(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if alone.PeakRSS <= 0 || alone.RSS <= 0 || alone.FDs <= 0 {
		t.Fatalf("own footprint %+v: want positive figures", alone)
	}
	if with.PeakRSS <= alone.PeakRSS || with.FDs <= alone.FDs {
		t.Errorf("with a child %+v, alone %+v: the child's memory and descriptors are not counted", with, alone)
	}
}
