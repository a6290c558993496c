// Command rampart-cdr is the network detection sensor runtime: it reads mirrored traffic
// (VXLAN from AWS Traffic Mirroring, a live interface) or capture files and reports port
// scans, coin-miners and command-and-control traffic. rampart providers start it with a
// JSON configuration file; see runtime/cdr.
package main

import (
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/cdr"
	"github.com/rampart-sec/rampart/runtime/daemon"
)

var program = daemon.Program{
	Name:       "rampart-cdr",
	Kind:       "cdr",
	Appliance:  "cdr_sensor",
	AdminEnv:   "CDR_ADMIN_LISTEN",
	CheckHelp:  "validate the configuration file and the indicator and signature files it names, and exit (0 valid, 1 invalid)",
	Check:      cdr.CheckConfig,
	ConfigHint: " (or: rampart-cdr replay FILE)",
	New: func(configPath string, logger *slog.Logger) (daemon.Process, error) {
		sensor, err := cdr.New(cdr.Options{
			ConfigPath:  configPath,
			AdminListen: os.Getenv("CDR_ADMIN_LISTEN"),
			Logger:      logger,
		})
		if err != nil {
			return nil, err
		}
		return sensor, nil
	},
	Usage: `Usage: rampart-cdr -config PATH [-check]
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
`,
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "replay" {
		os.Exit(replay(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(program.Main(os.Args[1:], daemon.Streams{Out: os.Stdout, Err: os.Stderr}))
}
