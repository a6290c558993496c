// Command rampart-provider-local is the plugin of the `local` provider: it runs appliances
// as background processes on this machine. The engine starts it; it is not meant to be
// run by hand.
package main

import (
	"github.com/rampart-sec/rampart/providers/local"
	"github.com/rampart-sec/rampart/providers/sdk"
)

func main() {
	sdk.Serve(local.New())
}
