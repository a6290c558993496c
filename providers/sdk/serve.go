package sdk

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

	"google.golang.org/grpc"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rampart-sec/rampart/internal/gctune"
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
	// A provider lives for one command, like the CLI that starts it.
	gctune.ForShortLivedProcess()
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

	if stop := startCPUProfile(p.Name, logger); stop != nil {
		defer stop()
	}

	tlsProvider, err := engineTLS()
	if err != nil {
		logger.Error("cannot set up TLS with rampart", "error", err)
		os.Exit(1)
	}
	plugin.Serve(&plugin.ServeConfig{
		TLSProvider:     tlsProvider,
		HandshakeConfig: protocol.Handshake,
		Plugins:         protocol.PluginMap(newServer(p, logger)),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return plugin.DefaultGRPCServer(append(opts,
				grpc.MaxRecvMsgSize(protocol.MaxMessageSize),
				grpc.MaxSendMsgSize(protocol.MaxMessageSize),
				grpc.InitialWindowSize(protocol.WindowSize),
				grpc.InitialConnWindowSize(protocol.WindowSize)))
		},
		Logger: logger,
	})
}

// CPUProfileEnv names the environment variable that makes every provider write a CPU
// profile of its whole life into that directory, as <name>-<pid>.pprof: set it for a
// rampart command (the engine passes its environment to the plugins it starts) to see
// where a provider spends a slow plan (go tool pprof rampart-provider-<name> file).
const CPUProfileEnv = "RAMPART_PROVIDER_CPU_PROFILE"

// startCPUProfile starts the profile CPUProfileEnv asks for and returns what stops and
// writes it (when the engine is done with the provider), or nil.
func startCPUProfile(name string, logger hclog.Logger) (stop func()) {
	dir := os.Getenv(CPUProfileEnv)
	if dir == "" {
		return nil
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", name, os.Getpid()))
	f, err := os.Create(path)
	if err != nil {
		logger.Warn("cannot write a CPU profile", "env", CPUProfileEnv, "error", err)
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		logger.Warn("cannot start a CPU profile", "error", err)
		return nil
	}
	logger.Debug("writing a CPU profile", "path", path)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// engineTLS reads the TLS bundle the engine passed on the descriptor named by
// protocol.TLSBundleEnv (see protocol.NewPluginTLS). Without one it returns nil, and
// go-plugin's own AutoMTLS applies. The variable is removed so that nothing the
// provider starts inherits it.
func engineTLS() (func() (*tls.Config, error), error) {
	fd, ok := os.LookupEnv(protocol.TLSBundleEnv)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(protocol.TLSBundleEnv)
	if fd != strconv.Itoa(protocol.TLSBundleFD) {
		return nil, fmt.Errorf("%s=%q: rampart passes the bundle on descriptor %d", protocol.TLSBundleEnv, fd, protocol.TLSBundleFD)
	}
	f := os.NewFile(uintptr(protocol.TLSBundleFD), "rampart-tls-bundle")
	defer f.Close()
	cfg, err := protocol.ServerTLS(f)
	if err != nil {
		return nil, err
	}
	return func() (*tls.Config, error) { return cfg, nil }, nil
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
