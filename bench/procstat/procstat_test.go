package procstat

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
	before, err := CPU(os.Getpid())
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
		after, err := CPU(os.Getpid())
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
		if tree, err = Tree(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		if len(tree) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(tree) < 2 || tree[0] != cmd.Process.Pid {
		t.Fatalf("Tree(%d) = %v, want the shell and its sleep", cmd.Process.Pid, tree)
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
	if _, err := TreeCPU(cmd.Process.Pid); err != nil {
		t.Errorf("TreeCPU: %v", err)
	}
}

func TestMachineBusyReadsProcStat(t *testing.T) {
	busy, err := MachineBusy()
	if err != nil {
		t.Fatal(err)
	}
	if busy <= 0 {
		t.Errorf("MachineBusy = %v, want the CPU time since boot", busy)
	}
}

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
	alone, err := TreeFootprint(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	with, err := TreeFootprint(os.Getpid())
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
