package local

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runningProcess is a runtime process this plugin started. Exited is closed once the
// process has exited and been reaped.
type runningProcess struct {
	PID    int
	Exited <-chan struct{}
}

// startRuntime starts binary -config configPath in its own session, so it survives the
// plugin and the CLI (and their terminal's signals). stdin is /dev/null; stdout and stderr
// are appended to logPath. The environment is minimal (PATH and HOME) plus env, so
// nothing of the operator's shell leaks into the appliance.
func startRuntime(binary, dir, configPath, logPath string, env map[string]string) (runningProcess, error) {
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return runningProcess{}, fmt.Errorf("open runtime log: %w", err)
	}
	// The child holds its own copy of the descriptor; ours is not needed after Start.
	defer logFile.Close()

	cmd := exec.Command(binary, "-config", configPath)
	cmd.Dir = dir
	cmd.Env = processEnv(env)
	cmd.Stdin = nil // exec opens /dev/null
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return runningProcess{}, fmt.Errorf("start %s: %w", binary, err)
	}
	exited := make(chan struct{})
	// Reap the child when it exits so it never lingers as a zombie while the plugin
	// lives; after the plugin exits, init adopts it.
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	return runningProcess{PID: cmd.Process.Pid, Exited: exited}, nil
}

// processEnv is PATH and HOME of the plugin plus extra, sorted for a stable order.
func processEnv(extra map[string]string) []string {
	vars := map[string]string{}
	for _, name := range []string{"PATH", "HOME"} {
		if v, ok := os.LookupEnv(name); ok {
			vars[name] = v
		}
	}
	for k, v := range extra {
		vars[k] = v
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// processCmdline returns the arguments of a live process, nil when there is none (a
// zombie has an empty command line, so it counts as gone too).
func processCmdline(pid int) []string {
	if pid <= 0 {
		return nil
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimRight(data, "\x00")), "\x00")
}

// ownsProcess reports whether pid is alive and runs with configPath as an argument: a pid
// alone could since have been reused by an unrelated process.
func ownsProcess(pid int, configPath string) bool {
	if configPath == "" {
		return false
	}
	for _, arg := range processCmdline(pid) {
		if arg == configPath || strings.HasSuffix(arg, "="+configPath) {
			return true
		}
	}
	return false
}

// configArg finds the value of -config (or --config, -config=PATH) in a command line.
func configArg(args []string) (string, bool) {
	for i, arg := range args {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-"), "=")
		if name != "config" || !strings.HasPrefix(arg, "-") {
			continue
		}
		if hasValue {
			return value, true
		}
		if i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// stopProcess asks the runtime at pid to shut down gracefully (SIGTERM) and kills it if it
// is still there after grace. It acts only while pid is still the process running
// configPath, so a reused pid is never signalled.
func stopProcess(pid int, configPath string, grace time.Duration) error {
	if !ownsProcess(pid, configPath) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop pid %d: %w", pid, err)
	}
	if waitGone(pid, configPath, grace) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill pid %d: %w", pid, err)
	}
	if !waitGone(pid, configPath, 5*time.Second) {
		return fmt.Errorf("pid %d is still running after SIGKILL", pid)
	}
	return nil
}

// processExited reports whether pid has finished exiting: no such process, or a zombie.
// A process that is still exiting has already lost its command line (its memory is freed
// first) but may still hold its listening sockets, which the kernel closes later; a new
// runtime started in that window fails with "address already in use".
func processExited(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state letter follows the command name, which is in parentheses and may itself
	// contain ") ".
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return true
	}
	switch data[i+2] {
	case 'Z', 'X', 'x':
		return true
	}
	return false
}

// waitGone polls until the process has exited, at most for timeout. Polling is the only
// way to wait for a process that is not our child (started by an earlier plugin run).
// Gone means fully exited, or the pid now belongs to an unrelated process.
func waitGone(pid int, configPath string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	delay := 10 * time.Millisecond
	for {
		if processExited(pid) || (!ownsProcess(pid, configPath) && processCmdline(pid) != nil) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(delay)
		delay = min(delay*2, 200*time.Millisecond)
	}
}
