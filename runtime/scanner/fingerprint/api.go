// Package fingerprint names the service behind an open TCP port: protocol, product and
// version, read from banners and from answers to a small probe set of our own.
//
// For the scanner runtime, the whole API is:
//
//	probes, err := fingerprint.LoadProbesFile(cfg.ServiceProbesFile) // only when the user set one
//	svc, err := fingerprint.Identify(ctx, host, port, fingerprint.Options{Timeout: 5 * time.Second, UserProbes: probes})
//
// A silent port costs at most Options.Timeout: a short first phase (NULL probe plus the
// probes likely for that port number), then every other probe in parallel until the budget
// is spent. A port that answered may take one more Timeout for follow-ups (TLS version and
// cipher enumeration, Docker and Kubernetes API questions), so 2×Timeout bounds any port.
// Identify returns a Service even when it cannot name the port (Name == ""); the error is
// only for a port whose connections all failed. Pass a host's Services to checks.Run.
//
// Why not nmap's nmap-service-probes: its licence makes a program that reads it a derivative
// work, so we ship our own probes (probes.go) and read the user's copy only when asked.
package fingerprint

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

// Options bounds and steers one Identify call.
type Options struct {
	// Timeout is the total wait for one port, all probes included; 0 means DefaultTimeout.
	Timeout time.Duration
	// UserProbes are probes from the user's service_probes_file (LoadProbesFile); nil = ours only.
	UserProbes *ProbesFile
	// Dial opens connections; nil means a net.Dialer. The scanner passes its rate-limited dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// SkipCipherSuites reads TLS versions and the certificate but does not enumerate the
	// accepted cipher suites (one connection per version instead of one per suite).
	SkipCipherSuites bool
	// ServerName is sent as SNI when the target was given by name.
	ServerName string
}

// DefaultTimeout bounds one port when Options.Timeout is 0.
const DefaultTimeout = 6 * time.Second

// Service is what Identify learned about one port. Zero fields mean "not learned".
type Service struct {
	Port    int    `json:"port"`
	Name    string `json:"name,omitempty"`    // "http", "ssh", "redis", ... ("" = unknown)
	Product string `json:"product,omitempty"` // "OpenSSH", "nginx", "Redis", ...
	Version string `json:"version,omitempty"` // "9.2p1", "1.22.1", ...
	// TLS is set when the port speaks TLS (directly, not after STARTTLS).
	TLS *TLSInfo `json:"tls,omitempty"`
	// Banner is the first line the service sent or answered, printable and truncated.
	Banner string `json:"banner,omitempty"`
	// SSH holds the server's KEXINIT algorithm lists (for the weak-algorithm checks).
	SSH *SSHInfo `json:"ssh,omitempty"`
	// HTTP is the answer to "GET /" (for header and directory-listing checks).
	HTTP *HTTPInfo `json:"http,omitempty"`
	// Evidence holds short facts checks use, e.g. "auth": "none" when a Redis, Docker or
	// Kubernetes API answered without credentials; "probe": which probe matched.
	Evidence map[string]string `json:"evidence,omitempty"`
}

// TLSInfo is the TLS fingerprint of a port (versions, cipher suites, certificate).
type TLSInfo = tlsprobe.Info

// SSHInfo lists the algorithms an SSH server offers in its KEXINIT message.
type SSHInfo struct {
	KexAlgorithms  []string `json:"kex_algorithms"`
	HostKeyAlgs    []string `json:"host_key_algorithms"`
	Ciphers        []string `json:"ciphers"` // server to client
	MACs           []string `json:"macs"`    // server to client
	Compression    []string `json:"compression,omitempty"`
	ProtocolBanner string   `json:"banner"` // "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
}

// HTTPInfo is an HTTP response head plus the start of its body.
type HTTPInfo struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`        // canonical names, first value
	Body    string            `json:"body,omitempty"` // at most maxHTTPBody bytes
}

// Identify connects to host:port and names the service there. See the package comment.
func Identify(ctx context.Context, host netip.Addr, port int, opts Options) (Service, error) {
	return identify(ctx, host, port, opts)
}
