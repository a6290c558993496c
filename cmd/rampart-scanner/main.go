// Command rampart-scanner is the vulnerability scanner runtime. As an appliance it runs the
// scan jobs of a JSON configuration file (rampart providers start it that way; see
// runtime/scanner); `rampart-scanner scan HOST...` runs one scan and prints what it found.
package main

import (
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/daemon"
	"github.com/rampart-sec/rampart/runtime/scanner"
)

var program = daemon.Program{
	Name:       "rampart-scanner",
	Kind:       "scanner",
	Appliance:  "scanner",
	AdminEnv:   "SCANNER_ADMIN_LISTEN",
	CheckHelp:  "validate the configuration file (and service_probes_file) and exit: 0 valid, 1 invalid",
	Check:      scanner.CheckConfig,
	ConfigHint: " (or use: rampart-scanner scan HOST...)",
	New: func(configPath string, logger *slog.Logger) (daemon.Process, error) {
		server, err := scanner.New(scanner.Options{
			ConfigPath:  configPath,
			AdminListen: os.Getenv("SCANNER_ADMIN_LISTEN"),
			Logger:      logger,
		})
		if err != nil {
			return nil, err
		}
		return server, nil
	},
	Usage: `Usage:
  rampart-scanner -config PATH [-check]     run the scan jobs of a configuration file
  rampart-scanner scan [flags] TARGET...    scan once and print the result (-h for flags)

As an appliance, rampart-scanner runs the jobs of the JSON configuration file: one-shot jobs
at start, the others on their interval or cron schedule. Each run writes findings (JSON
lines) and a summary, with what changed since the previous run, under data_dir. Its
concurrency follows its cgroup's memory and CPU limits; GET /status shows the "scanning
capacity" and why. SIGHUP or POST /reload re-reads the file; SIGTERM stops gracefully.

SYN scanning needs CAP_NET_RAW; without it (mode auto) the scanner says so and uses TCP
connect scans.

Environment:
  SCANNER_ADMIN_LISTEN   admin API address (host:port or unix:/path), overrides admin.listen
`,
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "scan" {
		os.Exit(runScan(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(program.Main(os.Args[1:], daemon.Streams{Out: os.Stdout, Err: os.Stderr}))
}
