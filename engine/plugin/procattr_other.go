//go:build !linux

package plugin

import "os/exec"

// dieWithParent has no kernel support outside Linux; there the plugin relies on watching
// its parent process (providers/sdk does) to exit with rampart.
func dieWithParent(cmd *exec.Cmd) {}
