package protocol

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the go-plugin handshake both the engine and every provider plugin use. The
// magic cookie only stops a plugin binary from being run by hand by mistake; it is not a
// secret. The protocol version must match exactly.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  Version,
	MagicCookieKey:   "RAMPART_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "4c6a040b17a52d9108fd28754e64a70874cea41f606279d07eaa961a96ac1d7c",
}

// PluginName is the name under which a provider plugin serves and is dispensed.
const PluginName = "provider"

// GRPCProviderPlugin is the go-plugin glue. In a plugin process, Impl is the provider to
// serve; on the engine side Impl is nil and Dispense returns a Provider (*GRPCClient).
type GRPCProviderPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Provider
}

var _ plugin.GRPCPlugin = (*GRPCProviderPlugin)(nil)

// GRPCServer registers Impl on the plugin's gRPC server.
func (p *GRPCProviderPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	RegisterProviderServer(s, NewGRPCServer(p.Impl))
	return nil
}

// GRPCClient returns a Provider talking to the plugin over conn.
func (p *GRPCProviderPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return NewGRPCClient(conn), nil
}

// PluginMap is the plugin set for plugin.ClientConfig.Plugins (impl nil) and
// plugin.ServeConfig.Plugins (impl the provider to serve).
func PluginMap(impl Provider) map[string]plugin.Plugin {
	return map[string]plugin.Plugin{PluginName: &GRPCProviderPlugin{Impl: impl}}
}
