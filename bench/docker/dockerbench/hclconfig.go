package main

import (
	"fmt"
	"strings"
)

// deployment is one rampart working directory of the benchmark: N WAF containers on
// the Docker provider, each publishing its own loopback port.
type deployment struct {
	Name     string // appliance name; carries the run id, so container names are unique
	N        int    // number of instances (for_each over N keys)
	BasePort int    // instance i publishes 127.0.0.1:BasePort+i → the container's 8080
	Network  string // the user network rampart creates for them (managed_network)
	// DockerHost, when set, is the provider's engine endpoint (the -api-trace proxy);
	// otherwise the provider's default, the local engine.
	DockerHost string
}

// hcl renders the deployment as a rampart configuration. The sites run with rules off:
// the benchmark measures the reconciler against the Docker API, not N runtimes each
// compiling the Core Rule Set (engine/plan_bench_test.go does the same for the local
// provider). The containers join a managed network instead of Docker's default bridge
// so the run depends on nothing the engine's other users may have changed.
func (d deployment) hcl() string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by bench/docker/dockerbench: %d WAF containers for make bench-docker.
rampart {
  backend "local" {
    path = "rampart.state"
  }
}

locals {
  ids = toset([for i in range(%d) : format("%%04d", i)])
}

waf %q {
  for_each = local.ids

  listen {
    address = "0.0.0.0"
    http    = %d
  }
  # Reached by rampart (and the floor) on the container's address; not published.
  admin {
    listen = "0.0.0.0:%d"
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "default" {
    pool = "app"
    policy {
      mode = "off"
    }
  }

  docker {
    ports = { (%d + tonumber(each.key)) = %d }
    managed_network {
      name = %q
    }
  }
}
`, d.N, d.N, d.Name, containerHTTPPort, containerAdminPort, d.BasePort, containerHTTPPort, d.Network)
	if d.DockerHost != "" {
		fmt.Fprintf(&b, "\nprovider \"docker\" {\n  host = %q\n}\n", d.DockerHost)
	}
	return b.String()
}

// Ports inside every container: all instances use the same ones, each container has its
// own address; only the HTTP port is published, on a host port of its own.
const (
	containerHTTPPort  = 8080
	containerAdminPort = 9901
)
