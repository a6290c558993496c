// Package command implements the rampart CLI: one file per command, each a thin layer over
// the engine that parses flags, prints results and chooses the exit code.
package command

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Streams are the CLI's standard streams (tests pass buffers).
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// cmd is one subcommand.
type cmd struct {
	name     string
	synopsis string
	usage    string // full help, with an example
	run      func(m *meta, args []string) int
}

var commands = map[string]*cmd{}

func register(c *cmd) { commands[c.name] = c }

// Run executes the CLI with args (without the program name) and returns the exit code.
func Run(args []string, s Streams) int {
	m := &meta{streams: s, dir: "."}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "-chdir=") || strings.HasPrefix(a, "--chdir="):
			m.dir = a[strings.IndexByte(a, '=')+1:]
			if m.dir == "" {
				fmt.Fprintln(s.Err, "Error: -chdir needs a directory, e.g. rampart -chdir=examples/quickstart plan")
				return 1
			}
			if st, err := os.Stat(m.dir); err != nil || !st.IsDir() {
				fmt.Fprintf(s.Err, "Error: -chdir=%s: not a directory\n", m.dir)
				return 1
			}
		case a == "-h" || a == "-help" || a == "--help":
			printMainHelp(s.Out)
			return 0
		case a == "-v" || a == "-version" || a == "--version":
			args = append([]string{"version"}, args[1:]...)
			continue
		default:
			fmt.Fprintf(s.Err, "Error: unknown global option %q. Global options: -chdir=DIR, -help, -version.\n", a)
			return 1
		}
		args = args[1:]
	}
	if len(args) == 0 {
		printMainHelp(s.Out)
		return 1
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(s.Err, "Error: unknown command %q.%s Run \"rampart -help\" for the list of commands.\n", args[0], suggestCommand(args[0]))
		return 1
	}
	return c.run(m, args[1:])
}

func suggestCommand(name string) string {
	for n := range commands {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
			return fmt.Sprintf(" Did you mean %q?", n)
		}
	}
	return ""
}

func printMainHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: rampart [-chdir=DIR] COMMAND [options]

rampart reconciles security appliances (waf, gateway, scanner, cdr_sensor) declared in
*.hcl files with what really runs.

Main commands:
`)
	main := []string{"init", "validate", "plan", "apply", "destroy", "status"}
	for _, n := range main {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprint(w, "\nOther commands:\n")
	var other []string
	for n := range commands {
		if !contains(main, n) {
			other = append(other, n)
		}
	}
	sort.Strings(other)
	for _, n := range other {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprint(w, `
Global options:
  -chdir=DIR   run as if rampart were started in DIR
  -help        show this help; "rampart COMMAND -help" shows a command's help
  -version     same as "rampart version"

Typical workflow:
  rampart init                  # find provider plugins, record their checksums
  rampart plan -out next.plan   # see what would change
  rampart apply next.plan       # make it so
`)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// flags builds a flag set whose -help prints the command's usage.
func (c *cmd) flags(m *meta) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args; it prints help or the error and returns the exit code to use when done.
func (c *cmd) parse(m *meta, fs *flag.FlagSet, args []string) (done bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(m.streams.Out, c.usage)
			return true, 0
		}
		fmt.Fprintf(m.streams.Err, "Error: %v\n\n%s", err, c.usage)
		return true, 1
	}
	return false, 0
}

// multiFlag collects a repeatable flag such as -var.
type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }
