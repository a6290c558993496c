// Command rampart-cdr is the network detection sensor runtime: it reads mirrored traffic
// (VXLAN from AWS Traffic Mirroring, a live interface) or capture files and reports port
// scans, coin-miners and command-and-control traffic. rampart providers start it with a
// JSON configuration file; see runtime/cdr.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/cdr"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/memtune"
	"github.com/rampart-sec/rampart/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "replay" {
		os.Exit(replay(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run())
}

func run() int {
	configPath := flag.String("config", "", "path of the JSON configuration file (required)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	check := flag.Bool("check", false, "validate the configuration file and the indicator and signature files it names, and exit (0 valid, 1 invalid)")
	flag.Usage = usage
	flag.Parse()

	if *showVersion {
		fmt.Println("rampart-cdr", version.Version)
		return 0
	}
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "rampart-cdr: -config PATH is required (or: rampart-cdr replay FILE)")
		flag.Usage()
		return 2
	}
	if *check {
		if err := cdr.CheckConfig(*configPath); err != nil {
			fmt.Fprintln(os.Stderr, "rampart-cdr:", err)
			return 1
		}
		fmt.Println("configuration is valid:", *configPath)
		return 0
	}

	logger := logging.New(os.Stderr, "cdr", slog.LevelInfo)
	gc := memtune.Apply()
	logger.Info("garbage collector tuned", "gc_percent", gc.GCPercent, "memory_limit_bytes", gc.MemoryLimit)
	sensor, err := cdr.New(cdr.Options{
		ConfigPath:  *configPath,
		AdminListen: os.Getenv("CDR_ADMIN_LISTEN"),
		Logger:      logger,
	})
	if err != nil {
		return fail(logger, err)
	}
	if err := sensor.Start(); err != nil {
		return fail(logger, err)
	}
	ctx, stop := admin.ShutdownContext(context.Background())
	defer stop()
	admin.ReloadOnSIGHUP(ctx, func() {
		logger.Info("reload requested", slog.String("via", "SIGHUP"))
		_ = sensor.Reload() // a failed reload is logged and keeps the running configuration
	})
	if err := sensor.Wait(ctx); err != nil {
		return fail(logger, err)
	}
	return 0
}

func usage() {
	fmt.Fprintf(flag.CommandLine.Output(), `Usage: rampart-cdr -config PATH [-check]
       rampart-cdr replay [-config PATH] [-quiet] FILE...

Reads mirrored traffic and reports port scans, coin-miners and command-and-control
traffic as findings. VXLAN datagrams (AWS Traffic Mirroring) arrive on listen.vxlan
(UDP 4789); listen.interface adds a live interface; listen.health opens a TCP port for
load-balancer health checks. SIGHUP reloads the file; SIGTERM stops gracefully.

replay runs pcap or pcapng files through the same decoder and detectors, with the
packets' own timestamps as the clock, prints each finding as a JSON line and ends with
a summary: "N packets decoded, M truncated, K findings".

Environment:
  CDR_ADMIN_LISTEN   admin API address (host:port or unix:/path), overrides admin.listen

Flags:
`)
	flag.PrintDefaults()
}

// fail logs err and prints it plainly too, so that it is readable without a JSON viewer.
func fail(logger *slog.Logger, err error) int {
	logger.Error("rampart-cdr failed", slog.String("error", err.Error()))
	fmt.Fprintln(os.Stderr, "rampart-cdr:", err)
	return 1
}
