package config

import (
	"fmt"
	"strings"
	"time"
)

// DockerAPI lists the Docker engines that dynamic pools discover containers on.
type DockerAPI struct {
	// Endpoints are unix:///var/run/docker.sock (the default), tcp://host:2375 or
	// tcp://host:2376 with the client certificate below. WAF_DOCKERD_URLS (comma
	// separated) overrides them.
	Endpoints []string `json:"endpoints,omitempty" hcl:"endpoints,optional"`
	// CA, Certificate and PrivateKey (PEM) authenticate to tcp endpoints over TLS.
	CA          string `json:"ca,omitempty" hcl:"ca,optional"`
	Certificate string `json:"certificate,omitempty" hcl:"certificate,optional"`
	PrivateKey  string `json:"private_key,omitempty" hcl:"private_key,optional" sensitive:"true"`
}

// DockerDiscovery selects a pool's members among running containers.
type DockerDiscovery struct {
	// Image is the image repository, tag ignored: httpd, docker.io/httpd and
	// docker.io/library/httpd are the same.
	Image string `json:"image" hcl:"image,required"`
	// NameContains keeps only containers whose name contains it.
	NameContains string `json:"name_contains,omitempty" hcl:"name_contains,optional"`
	// Network is the Docker network whose container IP is used; when the WAF cannot reach
	// it, the published host port of the pool's port is used instead.
	Network string `json:"network,omitempty" hcl:"network,optional"`
	// RefreshInterval re-lists containers even without events (default "15s"), so a
	// missed event heals.
	RefreshInterval string `json:"refresh_interval,omitempty" hcl:"refresh_interval,optional"`
}

// Defaults of dynamic pools.
const (
	DefaultDockerEndpoint  = "unix:///var/run/docker.sock"
	DefaultRefreshInterval = "15s"
)

func validateDiscovery(c *Config, bad func(path, format string, args ...any)) {
	dynamic := false
	for _, p := range c.Pools {
		d := p.DockerDiscovery
		if d == nil {
			continue
		}
		dynamic = true
		path := fmt.Sprintf("server_pool[%q]", p.Name)
		if strings.TrimSpace(d.Image) == "" {
			bad(path+".docker_discovery.image", "name the image whose containers form the pool")
		}
		if p.Port <= 0 || p.Port > 65535 {
			bad(path+".port", "a docker_discovery pool needs the port its containers serve on (1-65535)")
		}
		if d.RefreshInterval != "" {
			if v, err := time.ParseDuration(d.RefreshInterval); err != nil || v < time.Second {
				bad(path+".docker_discovery.refresh_interval", "%q is not a duration of at least 1s", d.RefreshInterval)
			}
		}
	}
	if c.DockerAPI == nil {
		return
	}
	for i, e := range c.DockerAPI.Endpoints {
		if !strings.HasPrefix(e, "unix://") && !strings.HasPrefix(e, "tcp://") {
			bad(fmt.Sprintf("docker_api.endpoints[%d]", i), "%q is neither unix:///path nor tcp://host:port", e)
		}
	}
	if !dynamic && len(c.DockerAPI.Endpoints) > 0 {
		bad("docker_api", "no server_pool uses docker_discovery")
	}
}
