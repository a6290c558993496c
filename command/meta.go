package command

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/schema"
	"golang.org/x/term"
)

// meta is what every command shares: streams, the working directory and common flags.
type meta struct {
	streams Streams
	dir     string

	vars        multiFlag
	varFiles    multiFlag
	parallelism int
	lockTimeout time.Duration
	noColor     bool

	files map[string]*hcl.File // for diagnostic snippets, once a configuration is loaded
	outMu sync.Mutex
}

// varFlags adds -var and -var-file.
func (m *meta) varFlags(fs *flag.FlagSet) {
	fs.Var(&m.vars, "var", "set a variable: -var 'name=value' (repeatable)")
	fs.Var(&m.varFiles, "var-file", "read variable values from a .vars.hcl file (repeatable)")
}

// opFlags adds the flags of commands that operate on appliances.
func (m *meta) opFlags(fs *flag.FlagSet) {
	fs.IntVar(&m.parallelism, "parallelism", engine.DefaultParallelism, "limit concurrent provider operations")
	fs.DurationVar(&m.lockTimeout, "lock-timeout", 0, "wait this long for the state lock, e.g. 60s")
	fs.BoolVar(&m.noColor, "no-color", false, "no colours in output")
}

// openWith loads the configuration and prepares an engine.
func (m *meta) openWith(opts engine.Options) (*engine.Engine, bool) {
	opts.Dir = m.dir
	opts.Vars = schema.VarOptions{VarFiles: m.varFiles, Vars: m.vars, Environ: os.Environ()}
	opts.Parallelism = m.parallelism
	opts.UI = m.ui()
	e, diags := engine.Open(opts)
	if e != nil && e.Config() != nil {
		m.files = e.Config().Files
	}
	m.diags(diags)
	if diags.HasErrors() {
		return nil, false
	}
	return e, true
}

// diags prints diagnostics with source snippets.
func (m *meta) diags(diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	width := 0
	if f, ok := m.streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width, _, _ = term.GetSize(int(f.Fd()))
	}
	wr := hcl.NewDiagnosticTextWriter(m.streams.Err, m.files, uint(width), m.color())
	m.outMu.Lock()
	defer m.outMu.Unlock()
	_ = wr.WriteDiagnostics(diags)
}

func (m *meta) color() bool {
	if m.noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := m.streams.Out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (m *meta) errorf(format string, args ...any) int {
	fmt.Fprintf(m.streams.Err, "Error: "+format+"\n", args...)
	return 1
}

func (m *meta) printf(format string, args ...any) {
	m.outMu.Lock()
	defer m.outMu.Unlock()
	fmt.Fprintf(m.streams.Out, format, args...)
}

// ui prints apply progress as lines, like Terraform.
func (m *meta) ui() engine.UI {
	return engine.UI{
		Warning: func(msg string) { m.printf("Warning: %s\n", msg) },
		Start: func(addr string, action plans.Action) {
			m.printf("%s: %s...\n", addr, verb(action, false))
		},
		Progress: func(addr, msg string) { m.printf("%s: %s\n", addr, msg) },
		Done: func(addr string, action plans.Action, elapsed time.Duration, err error) {
			if err != nil {
				m.printf("%s: %s failed after %s\n", addr, verb(action, false), elapsed.Round(100*time.Millisecond))
				return
			}
			m.printf("%s: %s complete after %s\n", addr, verb(action, true), elapsed.Round(100*time.Millisecond))
		},
	}
}

func verb(a plans.Action, done bool) string {
	switch a {
	case plans.Create:
		return map[bool]string{false: "Creating", true: "Creation"}[done]
	case plans.Update:
		return map[bool]string{false: "Modifying", true: "Modifications"}[done]
	case plans.Delete:
		return map[bool]string{false: "Destroying", true: "Destruction"}[done]
	}
	return string(a)
}

// interruptible returns a context for provider calls and installs the Ctrl-C handling of
// apply: the first interrupt stops scheduling new work (in-flight steps finish and state is
// saved), the second cancels the context and aborts.
func (m *meta) interruptible(e *engine.Engine) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(m.streams.Err, "\nInterrupt received: finishing the steps in flight and saving state. Press Ctrl-C again to abort them.")
		e.Stop()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(m.streams.Err, "\nSecond interrupt: aborting in-flight steps.")
		cancel()
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// lock takes the state lock for operation, honouring -lock-timeout, and reports a stale
// lock it took over from a rampart that died. It returns the exit code on failure.
func (m *meta) lock(e *engine.Engine, operation string) (state.Unlocker, int) {
	unlock, err := e.Lock(context.Background(), operation, m.lockTimeout)
	if err != nil {
		var locked *state.LockedError
		if errors.As(err, &locked) {
			return nil, m.errorf("%v", locked)
		}
		return nil, m.errorf("lock state: %v", err)
	}
	for _, w := range e.States().Warnings() {
		fmt.Fprintf(m.streams.Err, "Warning: %s\n", w)
	}
	return func() error {
		if err := unlock(); err != nil {
			return fmt.Errorf("release state lock: %w", err)
		}
		return nil
	}, 0
}

// confirm asks the user to type "yes".
func (m *meta) confirm(question string) bool {
	fmt.Fprintf(m.streams.Out, "\n%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question)
	line, err := bufio.NewReader(m.streams.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(m.streams.Out)
		return false
	}
	return strings.TrimSpace(line) == "yes"
}
