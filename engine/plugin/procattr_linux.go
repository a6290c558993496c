package plugin

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks the kernel to kill the plugin when rampart dies, even by SIGKILL, so
// no provider outlives the command that started it. Strictly, Linux sends the signal when
// the OS thread that forked the plugin ends; Go keeps its threads for the life of the
// process (unless a goroutine exits while locked to one), and providers/sdk also watches
// its parent, so the plugin ends with rampart either way.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
