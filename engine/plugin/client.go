package plugin

import (
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// Client is one running plugin process. It implements protocol.Provider by forwarding
// every call to the plugin; when a call fails because the process died, the call returns
// one crash diagnostic instead (see IsCrash).
type Client struct {
	meta     Meta
	plugin   *goplugin.Client
	rpc      goplugin.ClientProtocol
	provider protocol.Provider
	stderr   *stderrTail
	pid      int
}

var _ protocol.Provider = (*Client)(nil)

// Name returns the provider name, e.g. "local".
func (c *Client) Name() string { return c.meta.Name }

// Meta returns the plugin executable this client runs.
func (c *Client) Meta() Meta { return c.meta }

// Pid returns the plugin process id.
func (c *Client) Pid() int { return c.pid }

// Exited reports whether the plugin process has ended.
func (c *Client) Exited() bool { return c.plugin.Exited() }

// Kill ends the plugin: it closes the connection so the plugin can exit on its own, and
// kills it if it is still running two seconds later. It blocks until the process is gone
// and is safe to call more than once.
func (c *Client) Kill() { c.plugin.Kill() }
