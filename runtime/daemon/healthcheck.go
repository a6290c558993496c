package daemon

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/appliance"
)

// healthcheckTimeout bounds the whole check: Docker runs it every few seconds.
const healthcheckTimeout = 3 * time.Second

// healthcheck asks the running runtime's admin API for GET /healthz, the way a container
// health check does (a FROM scratch image has no curl or shell): nil when it answers 200.
// The admin address comes from the configuration file, or from the environment variable
// that overrides it.
func (p Program) healthcheck(configPath string) error {
	address := os.Getenv(p.AdminEnv)
	if address == "" {
		kind, ok := appliance.Lookup(p.Appliance)
		if !ok {
			return fmt.Errorf("unknown appliance kind %q", p.Appliance)
		}
		data, err := os.ReadFile(configPath)
		if err != nil {
			return fmt.Errorf("read configuration: %w", err)
		}
		cfg, err := kind.Parse(data)
		if err != nil {
			return fmt.Errorf("configuration %s: %w", configPath, err)
		}
		address = cfg.AdminListen()
	}
	network, target := adminTarget(address)
	client := &http.Client{
		Timeout: healthcheckTimeout,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, target)
			},
		},
	}
	resp, err := client.Get("http://admin/healthz")
	if err != nil {
		return fmt.Errorf("GET /healthz on %s: %w", address, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz on %s: %s", address, resp.Status)
	}
	return nil
}

// adminTarget turns an admin address ("host:port" or "unix:/path") into what to dial; a
// wildcard host is reached through loopback.
func adminTarget(address string) (network, target string) {
	if path, ok := strings.CutPrefix(address, "unix:"); ok {
		return "unix", path
	}
	if host, port, err := net.SplitHostPort(address); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			return "tcp", net.JoinHostPort("127.0.0.1", port)
		}
	}
	return "tcp", address
}
