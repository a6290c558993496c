package plugin

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"google.golang.org/grpc"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// LogLevelEnv names the environment variable that sets the log level (trace, debug, info,
// warn, error, off) of the default logger, which also carries the plugins' own logs.
const LogLevelEnv = "RAMPART_LOG"

// StartOptions tunes how a plugin process is started.
type StartOptions struct {
	// WorkDir is the plugin's working directory: the configuration's directory.
	WorkDir string
	// Logger receives go-plugin's log and every line the plugin writes to stderr. Nil means
	// a logger writing to stderr at the level named by RAMPART_LOG (default "warn").
	Logger hclog.Logger
	// Checksum, when set, is the "sha256:<hex>" the executable must have. It is checked
	// right before exec, so a binary swapped after Lockfile.Verify is still refused.
	Checksum string
}

// Start launches the plugin and connects to it. The process lives until Kill is called,
// or until the rampart process dies (the kernel then kills it too). The caller must call
// Kill.
func Start(ctx context.Context, meta Meta, opts StartOptions) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start provider %q: %w", meta.Name, err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = defaultLogger()
	}

	cmd := exec.Command(meta.Path)
	cmd.Dir = opts.WorkDir
	dieWithParent(cmd)
	// Mutual TLS with identities made here (see protocol.NewPluginTLS): the plugin's half
	// goes through a pipe it inherits as descriptor protocol.TLSBundleFD. Windows cannot
	// pass a process extra descriptors: there go-plugin's AutoMTLS does the same, slower.
	var clientTLS *tls.Config
	if runtime.GOOS != "windows" {
		var bundle []byte
		var err error
		if clientTLS, bundle, err = protocol.NewPluginTLS(); err != nil {
			return nil, fmt.Errorf("start provider %q: %w", meta.Name, err)
		}
		bundleReader, err := bundlePipe(bundle)
		if err != nil {
			return nil, fmt.Errorf("start provider %q: %w", meta.Name, err)
		}
		// The plugin has its own copy once started; the engine's is closed whatever happens.
		defer bundleReader.Close()
		cmd.ExtraFiles = []*os.File{bundleReader}
		cmd.Env = []string{fmt.Sprintf("%s=%d", protocol.TLSBundleEnv, protocol.TLSBundleFD)} // go-plugin adds the rest
	}

	tail := newStderrTail(stderrTailLines)
	// What the plugin writes to os.Stderr after the handshake arrives over gRPC rather than
	// through go-plugin's log reader, so send it to both the tail and the log here.
	pluginLog := logger.Named(meta.Name).StandardWriter(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug})
	config := &goplugin.ClientConfig{
		HandshakeConfig:  protocol.Handshake,
		Plugins:          protocol.PluginMap(nil),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		TLSConfig:        clientTLS,
		AutoMTLS:         clientTLS == nil,
		GRPCDialOptions: []grpc.DialOption{
			grpc.WithDefaultCallOptions(
				grpc.MaxCallRecvMsgSize(protocol.MaxMessageSize),
				grpc.MaxCallSendMsgSize(protocol.MaxMessageSize)),
			grpc.WithInitialWindowSize(protocol.WindowSize),
			grpc.WithInitialConnWindowSize(protocol.WindowSize),
		},
		Cmd:        cmd,
		Managed:    false,
		Logger:     logger,
		Stderr:     tail.writer(),
		SyncStderr: fanout{tail.writer(), pluginLog},
		SyncStdout: pluginLog,
	}
	if opts.Checksum != "" {
		// go-plugin's SecureConfig would hash the whole binary again on every start;
		// Checksum reuses the digest while the file provably has not changed.
		if _, err := checksumDigest(opts.Checksum); err != nil {
			return nil, fmt.Errorf("start provider %q: %w", meta.Name, err)
		}
		actual, err := meta.Checksum()
		if err != nil {
			return nil, fmt.Errorf("start provider %q: %w", meta.Name, err)
		}
		if actual != opts.Checksum {
			return nil, &ChecksumMismatchError{Meta: meta, Actual: actual, Recorded: opts.Checksum}
		}
	}

	pc := goplugin.NewClient(config)
	rpc, err := connect(ctx, pc)
	if err != nil {
		return nil, startError(meta, opts, tail, err)
	}
	raw, err := rpc.Dispense(protocol.PluginName)
	if err != nil {
		pc.Kill()
		return nil, startError(meta, opts, tail, err)
	}
	provider, ok := raw.(protocol.Provider)
	if !ok {
		pc.Kill()
		return nil, fmt.Errorf("start provider %q: plugin %s dispensed %T, not a provider", meta.Name, meta.Path, raw)
	}

	c := &Client{meta: meta, plugin: pc, rpc: rpc, provider: provider, stderr: tail}
	if reattach := pc.ReattachConfig(); reattach != nil {
		c.pid = reattach.Pid
	}
	return c, nil
}

// bundlePipe returns the read end of a pipe that holds bundle, for a child process to
// inherit. The bundle (about 1 KB) fits in the pipe's buffer, so it is written and the
// write end closed before the child even starts.
func bundlePipe(bundle []byte) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe for the TLS bundle: %w", err)
	}
	_, err = w.Write(bundle)
	if closeErr := w.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("write the TLS bundle: %w", err)
	}
	return r, nil
}

// connect starts the process and performs the handshake. It returns early when ctx ends;
// go-plugin holds its lock until the handshake finishes or times out, so the process is
// then killed in the background as soon as go-plugin lets go. On error nothing is left
// running.
func connect(ctx context.Context, pc *goplugin.Client) (goplugin.ClientProtocol, error) {
	type result struct {
		rpc goplugin.ClientProtocol
		err error
	}
	done := make(chan result, 1)
	go func() {
		rpc, err := pc.Client()
		done <- result{rpc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			pc.Kill() // waits for go-plugin's reader goroutines, so the stderr tail is complete
		}
		return r.rpc, r.err
	case <-ctx.Done():
		go pc.Kill()
		return nil, ctx.Err()
	}
}

func startError(meta Meta, opts StartOptions, tail *stderrTail, err error) error {
	var lastWords string
	if lines := tail.Lines(); len(lines) > 0 {
		lastWords = "\nLast lines it wrote to stderr:\n  " + strings.Join(lines, "\n  ")
	}
	return fmt.Errorf("start provider %q (%s): %w%s", meta.Name, meta.Path, err, lastWords)
}

func defaultLogger() hclog.Logger {
	level := hclog.Warn
	if name := os.Getenv(LogLevelEnv); name != "" {
		if l := hclog.LevelFromString(name); l != hclog.NoLevel {
			level = l
		}
	}
	return hclog.New(&hclog.LoggerOptions{Name: "rampart", Output: os.Stderr, Level: level})
}
