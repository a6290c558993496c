package main

import (
	"syscall"
	"time"
)

// selfCPU is the user + system CPU time this process has used: while it sends datagrams it
// does little else, so a difference of two readings is the sender's cost.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
