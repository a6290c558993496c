// Command rampart-waf is the web application firewall runtime: a reverse proxy that
// inspects requests and forwards them to server pools. rampart providers start it with a
// JSON configuration file; see runtime/waf.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/memtune"
	"github.com/rampart-sec/rampart/runtime/waf"
	"github.com/rampart-sec/rampart/version"
)

func main() {
	os.Exit(run())
}

func run() int {
	configPath := flag.String("config", "", "path of the JSON configuration file (required)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	check := flag.Bool("check", false, "validate the configuration file, decrypt and check its TLS keys, and exit (0 valid, 1 invalid)")
	flag.Usage = usage
	flag.Parse()

	if *showVersion {
		fmt.Println("rampart-waf", version.Version)
		return 0
	}
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "rampart-waf: -config PATH is required")
		flag.Usage()
		return 2
	}
	if *check {
		if err := waf.CheckConfig(*configPath); err != nil {
			fmt.Fprintln(os.Stderr, "rampart-waf:", err)
			return 1
		}
		fmt.Println("configuration is valid:", *configPath)
		return 0
	}

	logger := logging.New(os.Stderr, "waf", slog.LevelInfo)
	gc := memtune.Apply()
	logger.Info("garbage collector tuned", "gc_percent", gc.GCPercent, "memory_limit_bytes", gc.MemoryLimit)
	server, err := waf.New(waf.Options{
		ConfigPath:  *configPath,
		AdminListen: os.Getenv("WAF_ADMIN_LISTEN"),
		Logger:      logger,
	})
	if err != nil {
		return fail(logger, err)
	}
	if err := server.Start(); err != nil {
		return fail(logger, err)
	}

	ctx, stop := admin.ShutdownContext(context.Background())
	defer stop()
	admin.ReloadOnSIGHUP(ctx, func() {
		logger.Info("reload requested", slog.String("via", "SIGHUP"))
		_ = server.Reload() // a failed reload is logged and keeps the running configuration
	})
	if err := server.Wait(ctx); err != nil {
		return fail(logger, err)
	}
	return 0
}

func usage() {
	fmt.Fprintf(flag.CommandLine.Output(), `Usage: rampart-waf -config PATH [-check]

Serves the sites of the JSON configuration file: HTTP and HTTPS (SNI, HTTP/2), inspected,
proxied to the server pools. SIGHUP reloads the file; SIGTERM stops gracefully.

Environment:
  WAF_ADMIN_LISTEN     admin API address (host:port or unix:/path), overrides admin.listen
  WAF_SSL_PASSPHRASE   passphrase of encrypted private keys whose tls block sets none

Flags:
`)
	flag.PrintDefaults()
}

// fail logs err and prints it plainly too, so that it is readable without a JSON viewer.
func fail(logger *slog.Logger, err error) int {
	logger.Error("rampart-waf failed", slog.String("error", err.Error()))
	fmt.Fprintln(os.Stderr, "rampart-waf:", err)
	return 1
}
