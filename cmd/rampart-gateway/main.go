// Command rampart-gateway is the gateway runtime: an explicit forward proxy limited to
// allowed destinations (proxy port, default 1080) and a caching, TLS-intercepting proxy for
// agent artifacts (cache port, default 8080). rampart providers start it with a JSON
// configuration file; see runtime/gateway.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/gateway"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/memtune"
	"github.com/rampart-sec/rampart/version"
)

func main() {
	os.Exit(run())
}

func run() int {
	configPath := flag.String("config", "", "path of the JSON configuration file (required)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	check := flag.Bool("check", false, "validate the configuration file and exit (0 valid, 1 invalid)")
	flag.Usage = usage
	flag.Parse()

	if *showVersion {
		fmt.Println("rampart-gateway", version.Version)
		return 0
	}
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "rampart-gateway: -config PATH is required")
		flag.Usage()
		return 2
	}
	if *check {
		if err := gateway.CheckConfig(*configPath); err != nil {
			fmt.Fprintln(os.Stderr, "rampart-gateway:", err)
			return 1
		}
		fmt.Println("configuration is valid:", *configPath)
		return 0
	}

	logger := logging.New(os.Stderr, "gateway", slog.LevelInfo)
	gc := memtune.Apply()
	logger.Info("garbage collector tuned", "gc_percent", gc.GCPercent, "memory_limit_bytes", gc.MemoryLimit)
	server, err := gateway.New(gateway.Options{ConfigPath: *configPath, Logger: logger})
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
	fmt.Fprintf(flag.CommandLine.Output(), `Usage: rampart-gateway -config PATH [-check]

Serves the gateway of the JSON configuration file:
  proxy port (listen.proxy, default 1080)  forward proxy and CONNECT tunnels, only to the
                                           allowed destinations; IP addresses, loopback,
                                           private and metadata addresses refused
  cache port (listen.cache, default 8080)  TLS interception with the gateway's CA and a
                                           memory cache; patch mode on a second disk
SIGHUP reloads the file (a bad file is refused, the running one stays); SIGTERM stops
gracefully. Try it: curl -x http://127.0.0.1:1080 https://deb.debian.org/

Environment:
  GATEWAY_PROXY_URL     upstream proxy http://user:password@host:port, overrides
                        upstream_proxy.url (never logged)
  GATEWAY_ADMIN_LISTEN  admin API address (host:port or unix:/path), overrides admin.listen
  GATEWAY_DATA_DIR      where the generated CA is kept (default gateway-data next to the
                        configuration file)

Flags:
`)
	flag.PrintDefaults()
}

// fail logs err and prints it plainly too, so that it is readable without a JSON viewer.
func fail(logger *slog.Logger, err error) int {
	logger.Error("rampart-gateway failed", slog.String("error", err.Error()))
	fmt.Fprintln(os.Stderr, "rampart-gateway:", err)
	return 1
}
