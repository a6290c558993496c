package sdk

import (
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// parentPollInterval is how often a plugin checks that the rampart process that started
// it is still alive.
const parentPollInterval = 500 * time.Millisecond

// Serve runs p as a rampart provider plugin and returns only when the engine is done with
// it. Call it from main and do nothing else there: the plugin's stdout belongs to
// go-plugin's handshake. Log through hclog.Default() or to stderr; the engine collects
// the plugin's stderr into its own log.
func Serve(p *Provider) {
	// The same logger go-plugin would build for itself: JSON lines on stderr, which the
	// engine's plugin client parses and re-logs with their levels.
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       p.Name,
		Level:      hclog.Trace,
		Output:     os.Stderr,
		JSONFormat: true,
	})
	hclog.SetDefault(logger)
	logger.Debug("starting provider", "version", p.Version, "protocol", protocol.Version)

	// The engine sets Pdeathsig where the OS has it; watching the parent also covers the
	// rest, and a provider must never outlive the CLI that owns its work.
	go watchParent(parentPollInterval, os.Getppid, func() {
		logger.Error("rampart exited; stopping the provider")
		os.Exit(1)
	})

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: protocol.Handshake,
		Plugins:         protocol.PluginMap(newServer(p, logger)),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return plugin.DefaultGRPCServer(append(opts,
				grpc.MaxRecvMsgSize(protocol.MaxMessageSize),
				grpc.MaxSendMsgSize(protocol.MaxMessageSize)))
		},
		Logger: logger,
	})
}

// watchParent calls exit once getppid returns something other than what it returned at
// the start: the parent died and the process was re-parented (to init or a subreaper).
func watchParent(interval time.Duration, getppid func() int, exit func()) {
	parent := getppid()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for range ticker.C {
		if getppid() != parent {
			exit()
			return
		}
	}
}
