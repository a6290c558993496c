// Package runtimes is what every provider that runs rampart's runtime binaries shares: the
// client side of runtime/admin (the client a provider uses to
// ask a runtime it started whether it is healthy and which configuration it has loaded),
// the waits built on it, and the rendering of runtime configs. Local, docker and later
// providers share it, so they all judge "started" and "reloaded" the same way.
package runtimes

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

	"github.com/rampart-sec/rampart/providers/protocol"
)

// RequestTimeout bounds one call to a runtime's admin API.
const RequestTimeout = 2 * time.Second

// Client talks to one runtime's admin API, over TCP or a unix socket.
type Client struct {
	// display is the address as configured, for messages.
	display string
	http    *http.Client
}

// Status is the part of GET /status the provider relies on.
type Status struct {
	ConfigSHA256     string `json:"config_sha256"`
	ConfigGeneration uint64 `json:"config_generation"`
	// Components is runtime/admin's shared health view of an appliance's parts.
	Components []struct {
		Name   string `json:"name"`
		Health string `json:"health"`
		Detail string `json:"detail"`
	} `json:"components"`
	// Facts are runtime/admin's short figures for `rampart status` (a gateway's unique
	// client IPs, a scanner's last run).
	Facts []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"facts"`
}

// View is the part of the status that `rampart status` shows: the health of the
// appliance's parts and its figures, in the protocol's shapes.
func (s Status) View() ([]protocol.Component, []protocol.Fact) {
	var components []protocol.Component
	for _, c := range s.Components {
		components = append(components, protocol.Component{Name: c.Name, Health: c.Health, Detail: c.Detail})
	}
	var facts []protocol.Fact
	for _, f := range s.Facts {
		facts = append(facts, protocol.Fact{Name: f.Name, Value: f.Value})
	}
	return components, facts
}

// NewClient builds a client for the admin address of a runtime ("host:port" or
// "unix:/path"). A relative socket path is relative to the runtime's working directory,
// dir. A wildcard host (0.0.0.0, ::) is reached through loopback: the provider only ever
// talks to the local machine.
func NewClient(address, dir string) *Client {
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
	dialer := &net.Dialer{Timeout: RequestTimeout}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, target)
		},
		// Each poll is a fresh connection: nothing is left open towards processes that
		// may be stopped any moment.
		DisableKeepAlives: true,
		Proxy:             nil,
	}
	return &Client{
		display: address,
		http:    &http.Client{Transport: transport, Timeout: RequestTimeout},
	}
}

// healthy reports whether GET /healthz answers 200.
func (c *Client) Healthy(ctx context.Context) error {
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
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
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

func (c *Client) get(ctx context.Context, path string) (*http.Response, error) {
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
