package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

// adminRequestTimeout bounds one call to a runtime's admin API.
const adminRequestTimeout = 2 * time.Second

// adminClient talks to one runtime's admin API, over TCP or a unix socket.
type adminClient struct {
	// display is the address as configured, for messages.
	display string
	http    *http.Client
}

// runtimeStatus is the part of GET /status the provider relies on.
type runtimeStatus struct {
	ConfigSHA256     string `json:"config_sha256"`
	ConfigGeneration uint64 `json:"config_generation"`
	// Components is runtime/admin's shared health view of an appliance's parts.
	Components []struct {
		Name   string `json:"name"`
		Health string `json:"health"`
		Detail string `json:"detail"`
	} `json:"components"`
}

// newAdminClient builds a client for the admin address of a runtime ("host:port" or
// "unix:/path"). A relative socket path is relative to the runtime's working directory,
// dir. A wildcard host (0.0.0.0, ::) is reached through loopback: the provider only ever
// talks to the local machine.
func newAdminClient(address, dir string) *adminClient {
	network, target := "tcp", address
	if path, ok := strings.CutPrefix(address, "unix:"); ok {
		network, target = "unix", path
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
	} else if host, port, err := net.SplitHostPort(address); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			target = net.JoinHostPort("127.0.0.1", port)
		}
	}
	dialer := &net.Dialer{Timeout: adminRequestTimeout}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, target)
		},
		// Each poll is a fresh connection: nothing is left open towards processes that
		// may be stopped any moment.
		DisableKeepAlives: true,
		Proxy:             nil,
	}
	return &adminClient{
		display: address,
		http:    &http.Client{Transport: transport, Timeout: adminRequestTimeout},
	}
}

// healthy reports whether GET /healthz answers 200.
func (c *adminClient) healthy(ctx context.Context) error {
	resp, err := c.get(ctx, "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz on %s: %s", c.display, resp.Status)
	}
	return nil
}

// status reads GET /status.
func (c *adminClient) status(ctx context.Context) (runtimeStatus, error) {
	var st runtimeStatus
	resp, err := c.get(ctx, "/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /status on %s: %s", c.display, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return st, fmt.Errorf("GET /status on %s: decode: %w", c.display, err)
	}
	return st, nil
}

func (c *adminClient) get(ctx context.Context, path string) (*http.Response, error) {
	// The host is a placeholder: DialContext decides where the connection goes.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://rampart-admin"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s on %s: %w", path, c.display, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s on %s: %w", path, c.display, err)
	}
	return resp, nil
}
