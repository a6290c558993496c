package plugin

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPluginDiesWithParent(t *testing.T) {
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), parentHelperEnv+"="+crashyPath)
	parent.Stderr = os.Stderr
	stdin, err := parent.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = parent.Process.Kill()
		_ = parent.Wait()
		t.Fatalf("parent helper did not report the plugin pid: %v", err)
	}
	pluginPid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("parent helper printed %q, want a pid", line)
	}
	// If the plugin survives, the test still must not leave it running.
	t.Cleanup(func() {
		if processRunning(pluginPid) {
			_ = syscall.Kill(pluginPid, syscall.SIGKILL)
		}
	})

	// SIGKILL leaves the parent no chance to clean up: only Pdeathsig can end the plugin.
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()

	deadline := time.Now().Add(10 * time.Second)
	for processRunning(pluginPid) {
		if time.Now().After(deadline) {
			t.Fatalf("plugin pid %d still runs 10s after its parent was killed", pluginPid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processRunning reports whether pid is a live process; a zombie waiting to be reaped by
// init counts as dead.
func processRunning(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
