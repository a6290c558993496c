// Command rampart-provider-docker is the plugin of the `docker` provider: it runs
// appliances as containers on a Docker engine. The engine starts it; it is not meant to
// be run by hand.
package main

import (
	"github.com/rampart-sec/rampart/providers/docker"
	"github.com/rampart-sec/rampart/providers/sdk"
)

func main() {
	sdk.Serve(docker.New())
}
