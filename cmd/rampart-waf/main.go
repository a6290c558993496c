// Command rampart-waf is the web application firewall runtime: a reverse proxy that
// inspects requests and forwards them to server pools. rampart providers start it with a
// JSON configuration file; see runtime/waf.
package main

import (
	"log/slog"
	"os"

	"github.com/rampart-sec/rampart/runtime/daemon"
	"github.com/rampart-sec/rampart/runtime/waf"
)

var program = daemon.Program{
	Name:      "rampart-waf",
	Kind:      "waf",
	Appliance: "waf",
	AdminEnv:  "WAF_ADMIN_LISTEN",
	CheckHelp: "validate the configuration file, decrypt and check its TLS keys, and exit (0 valid, 1 invalid)",
	Check:     waf.CheckConfig,
	New: func(configPath string, logger *slog.Logger) (daemon.Process, error) {
		server, err := waf.New(waf.Options{
			ConfigPath:  configPath,
			AdminListen: os.Getenv("WAF_ADMIN_LISTEN"),
			Logger:      logger,
		})
		if err != nil {
			return nil, err
		}
		return server, nil
	},
	Usage: `Usage: rampart-waf -config PATH [-check]

Serves the sites of the JSON configuration file: HTTP and HTTPS (SNI, HTTP/2), inspected,
proxied to the server pools. SIGHUP reloads the file; SIGTERM stops gracefully.

Environment:
  WAF_ADMIN_LISTEN     admin API address (host:port or unix:/path), overrides admin.listen
  WAF_SSL_PASSPHRASE   passphrase of encrypted private keys whose tls block sets none
  WAF_DOCKERD_URLS     Docker endpoints of docker_discovery pools, overrides docker_api
  WAF_SEM_SYSLOG_ADDR  syslog destination of security events, overrides events.syslog
`,
}

func main() {
	os.Exit(program.Main(os.Args[1:], daemon.Streams{Out: os.Stdout, Err: os.Stderr}))
}
