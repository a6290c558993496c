// Command rampart-gateway is the gateway runtime: an explicit forward proxy limited to
// allowed destinations (proxy port, default 1080) and a caching, TLS-intercepting proxy for
// agent artifacts (cache port, default 8080). rampart providers start it with a JSON
// configuration file; see runtime/gateway.
package main

import (
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/daemon"
	"github.com/rampart-sec/rampart/runtime/gateway"
)

var program = daemon.Program{
	Name:      "rampart-gateway",
	Kind:      "gateway",
	Appliance: "gateway",
	AdminEnv:  "GATEWAY_ADMIN_LISTEN",
	CheckHelp: "validate the configuration file and exit (0 valid, 1 invalid)",
	Check:     gateway.CheckConfig,
	New: func(configPath string, logger *slog.Logger) (daemon.Process, error) {
		server, err := gateway.New(gateway.Options{ConfigPath: configPath, Logger: logger})
		if err != nil {
			return nil, err
		}
		return server, nil
	},
	Usage: `Usage: rampart-gateway -config PATH [-check]

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
`,
}

func main() {
	os.Exit(program.Main(os.Args[1:], daemon.Streams{Out: os.Stdout, Err: os.Stderr}))
}
