package main

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestParseProcStatCountsFieldsFromTheLastParenthesis(t *testing.T) {
	// A command name may contain spaces and parentheses (proc(5)).
	line := "4242 (nginx: worker) (x)) S 4241 4241 4241 0 -1 4194624 1200 0 0 0 731 212 0 0 20 0 1 0 99 0 0\n"
	got, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := (procStat{ppid: 4241, utime: 731, stime: 212}); got != want {
		t.Errorf("parseProcStat = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "4242 nginx S 1", "4242 (nginx) S 1 2 3"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q) accepted a malformed line", bad)
		}
	}
}

func TestProcCPUGrowsWithWork(t *testing.T) {
	before, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the kernel has accounted at least two ticks, bounded in time.
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := range 1_000_000 {
			x += i
		}
		after, err := procCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if after-before >= 2*clockTick {
			return
		}
	}
	t.Errorf("CPU time did not grow after 5 s of work (%d)", x)
}

func TestProcessTreeFindsChildren(t *testing.T) {
	// A shell with a child, like nginx's master and its worker.
	cmd := exec.Command("/bin/sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	var tree []int
	for range 100 { // the child appears once the shell has forked it
		var err error
		if tree, err = processTree(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		if len(tree) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(tree) < 2 || tree[0] != cmd.Process.Pid {
		t.Fatalf("processTree(%d) = %v, want the shell and its sleep", cmd.Process.Pid, tree)
	}
	child := tree[1]
	t.Cleanup(func() {
		if p, err := os.FindProcess(child); err == nil {
			_ = p.Kill() // the sleep, by the PID this test found
		}
	})
	if slices.Contains(tree[1:], os.Getpid()) {
		t.Errorf("tree %v contains the test itself", tree)
	}
	if _, err := treeCPU(cmd.Process.Pid); err != nil {
		t.Errorf("treeCPU: %v", err)
	}
}

func TestMachineBusyReadsProcStat(t *testing.T) {
	busy, err := machineBusy()
	if err != nil {
		t.Fatal(err)
	}
	if busy <= 0 {
		t.Errorf("machineBusy = %v, want the CPU time since boot", busy)
	}
}
