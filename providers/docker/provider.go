// Package docker is the `docker` provider: it runs an appliance as a container on a
// Docker engine, from an image it builds out of the shipped runtime binary (or one the
// user names).
//
// It talks to the engine through the official Docker Go client, with API version
// negotiation. The runtimes use a tiny hand-written client (runtime/waf/discovery/docker)
// because a runtime must stay small; a provider is a separate plugin that may carry
// dependencies, and the official client brings build contexts, the archive API, TLS and
// version negotiation that would be a lot of code to get right by hand. The module is
// github.com/docker/docker v28: the newer github.com/moby/moby/client refuses to
// negotiate below API 1.44 (Docker 25), and engines still in use are older.
package docker

import (
	"context"
	"fmt"
	"sync"

	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/zclconf/go-cty/cty"
)

const (
	// ProviderName is the provider type, as in `provider "docker" {}`.
	ProviderName = "docker"
	// PlacementType is the placement block type, as in `waf "shop" { docker {} }`.
	PlacementType = "docker"
	// DefaultHost is the engine used when the provider block sets no host.
	DefaultHost = "unix:///var/run/docker.sock"
)

// Version is the provider's version; it is part of the tags of the images it builds.
const Version = "0.1.0"

// New returns the docker provider, ready for sdk.Serve.
func New() *sdk.Provider {
	p := newPlacement()
	return &sdk.Provider{
		Name:       ProviderName,
		Version:    Version,
		Schema:     providerSchema(),
		Configure:  p.configure,
		Placements: map[string]sdk.Placement{PlacementType: p},
	}
}

func providerSchema() *protocol.Schema {
	return &protocol.Schema{
		Description: "Runs appliances as containers on a Docker engine.",
		Attributes: map[string]*protocol.Attribute{
			"host": {
				Type:        cty.String,
				Optional:    true,
				Description: "Docker engine endpoint: unix:///path or tcp://host:port. Default " + DefaultHost + ".",
			},
		},
		BlockTypes: map[string]*protocol.NestedBlock{
			"tls": {
				Nesting:  protocol.NestingSingle,
				MaxItems: 1,
				Block: protocol.Schema{
					Description: "Client TLS for a tcp:// endpoint (usually port 2376). PEM contents, not paths.",
					Attributes: map[string]*protocol.Attribute{
						"ca":   {Type: cty.String, Optional: true, Description: "CA certificate the engine's certificate is checked against."},
						"cert": {Type: cty.String, Optional: true, Sensitive: true, Description: "Client certificate."},
						"key":  {Type: cty.String, Optional: true, Sensitive: true, Description: "Client private key."},
					},
				},
			},
		},
	}
}

// engine holds the Docker client. Configure sets it once; calls made without a provider
// block use the default endpoint.
type engine struct {
	mu     sync.Mutex
	client *client.Client
	host   string // the endpoint, e.g. unix:///var/run/docker.sock
}

func (e *engine) set(c *client.Client) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.client = c
	e.host = c.DaemonHost()
}

// daemonHost is the endpoint of the engine, DefaultHost before any call.
func (e *engine) daemonHost() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.host == "" {
		return DefaultHost
	}
	return e.host
}

// get returns the configured client, connecting to DefaultHost when none is.
func (e *engine) get() (*client.Client, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client != nil {
		return e.client, nil
	}
	c, err := newClient(endpoint{host: DefaultHost})
	if err != nil {
		return nil, err
	}
	e.client = c
	e.host = c.DaemonHost()
	return c, nil
}

// configure reads the provider block. A null block means all defaults.
func (p *placement) configure(_ context.Context, config cty.Value) protocol.Diagnostics {
	ep, diags := endpointFromConfig(config)
	if diags.HasErrors() {
		return diags
	}
	c, err := newClient(ep)
	if err != nil {
		return diags.FromErr("cannot configure the Docker client",
			fmt.Errorf("%w. Set host to unix:///var/run/docker.sock or tcp://host:port", err))
	}
	p.engine.set(c)
	return nil
}
