// Command rampart is the CLI: a declarative reconciler for security appliances.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/rampart-sec/rampart/command"
	"github.com/rampart-sec/rampart/internal/gctune"
)

func main() {
	gctune.ForShortLivedProcess()
	// RAMPART_CPU_PROFILE=file writes a CPU profile of the whole command, for finding where
	// a slow plan spends its time (go tool pprof rampart file).
	if path := os.Getenv("RAMPART_CPU_PROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rampart:", err)
			os.Exit(1)
		}
		code := command.Run(os.Args[1:], command.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
		stop()
		os.Exit(code)
	}
	os.Exit(command.Run(os.Args[1:], command.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("RAMPART_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("RAMPART_CPU_PROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
