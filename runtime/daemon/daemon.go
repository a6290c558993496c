// Package daemon is the main function every runtime binary shares: the -config, -check
// and -version flags, JSON logging, garbage-collector tuning, start, reload on SIGHUP and
// a graceful stop on SIGTERM or SIGINT. A cmd/rampart-<kind> main describes its runtime
// in a Program and calls Main; what differs between runtimes lives in their packages.
package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/memtune"
	"github.com/rampart-sec/rampart/version"
)

// Process is a started runtime as Main drives it.
type Process interface {
	// Start binds the listeners and starts serving.
	Start() error
	// Reload re-reads the configuration file; on error the running one stays (the
	// runtime logs why).
	Reload() error
	// Wait serves until ctx is done, then stops gracefully.
	Wait(ctx context.Context) error
}

// Program describes one runtime binary.
type Program struct {
	Name string // the binary, e.g. rampart-waf
	Kind string // the log component, e.g. waf
	// Usage is printed before the flags by -help: the usage lines, what the runtime does,
	// its signals and environment variables.
	Usage string
	// CheckHelp says what -check validates.
	CheckHelp string
	// Check validates a configuration file without starting anything.
	Check func(configPath string) error
	// New builds the runtime from its configuration file.
	New func(configPath string, logger *slog.Logger) (Process, error)
	// ConfigHint is added to the "-config PATH is required" message, e.g. another way
	// to run the binary.
	ConfigHint string
	// Appliance is the kind in runtime/appliance (waf, gateway, scanner, cdr_sensor) and
	// AdminEnv the variable that overrides its admin address: -healthcheck finds the
	// admin API through them.
	Appliance string
	AdminEnv  string
}

// Streams are where Main writes; the binaries pass os.Stdout and os.Stderr.
type Streams struct {
	Out, Err io.Writer
}

// Main runs the program with the command-line arguments (without the binary's name) and
// returns the exit code: 0 success, 1 failure, 2 bad usage.
func (p Program) Main(args []string, streams Streams) int {
	flags := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	flags.SetOutput(streams.Err)
	configPath := flags.String("config", "", "path of the JSON configuration file (required)")
	showVersion := flags.Bool("version", false, "print the version and exit")
	check := flags.Bool("check", false, p.CheckHelp)
	healthcheck := flags.Bool("healthcheck", false, "ask the running runtime's admin API for /healthz and exit 0 (healthy) or 1: a container's health check")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), p.Usage)
		fmt.Fprintln(flags.Output(), "\nFlags:")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		fmt.Fprintln(streams.Out, p.Name, version.Version)
		return 0
	}
	if *configPath == "" {
		fmt.Fprintf(streams.Err, "%s: -config PATH is required%s\n", p.Name, p.ConfigHint)
		flags.Usage()
		return 2
	}
	if *healthcheck {
		if err := p.healthcheck(*configPath); err != nil {
			fmt.Fprintf(streams.Err, "%s: unhealthy: %v\n", p.Name, err)
			return 1
		}
		return 0
	}
	if *check {
		if err := p.Check(*configPath); err != nil {
			fmt.Fprintf(streams.Err, "%s: %v\n", p.Name, err)
			return 1
		}
		fmt.Fprintln(streams.Out, "configuration is valid:", *configPath)
		return 0
	}

	// SIGTERM during start-up stops the runtime as soon as it has started, rather than
	// killing it half-way.
	ctx, stop := admin.ShutdownContext(context.Background())
	defer stop()
	logger := logging.New(streams.Err, p.Kind, slog.LevelInfo)
	gc := memtune.Apply()
	logger.Info("garbage collector tuned", "gc_percent", gc.GCPercent, "memory_limit_bytes", gc.MemoryLimit)
	process, err := p.New(*configPath, logger)
	if err != nil {
		return p.fail(streams, logger, err)
	}
	if err := process.Start(); err != nil {
		return p.fail(streams, logger, err)
	}
	admin.ReloadOnSIGHUP(ctx, func() {
		logger.Info("reload requested", slog.String("via", "SIGHUP"))
		_ = process.Reload() // a failed reload is logged and keeps the running configuration
	})
	if err := process.Wait(ctx); err != nil {
		return p.fail(streams, logger, err)
	}
	return 0
}

// fail logs err and prints it plainly too, so that it is readable without a JSON viewer.
func (p Program) fail(streams Streams, logger *slog.Logger, err error) int {
	logger.Error(p.Name+" failed", slog.String("error", err.Error()))
	fmt.Fprintf(streams.Err, "%s: %v\n", p.Name, err)
	return 1
}
