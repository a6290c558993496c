// Command rampart is the CLI: a declarative reconciler for security appliances.
package main

import (
	"os"

	"github.com/rampart-sec/rampart/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:], command.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
