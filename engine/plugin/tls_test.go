package plugin

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// Only the engine that started a plugin can call it: whoever else reaches its socket,
// without TLS, with no certificate or with a certificate of their own, is refused.
func TestOnlyTheEngineCanCallThePlugin(t *testing.T) {
	client, _ := startCrashy(t)
	if _, diags := client.GetSchema(context.Background()); diags.HasErrors() {
		t.Fatalf("the engine itself was refused: %v", diags.Err())
	}
	addr := client.plugin.ReattachConfig().Addr

	// Another identity, made the way the engine makes its own.
	stranger, _, err := protocol.NewPluginTLS()
	if err != nil {
		t.Fatal(err)
	}
	strangerCert := stranger.Certificates
	for name, creds := range map[string]credentials.TransportCredentials{
		"no TLS":                  insecure.NewCredentials(),
		"TLS, no certificate":     credentials.NewTLS(&tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}),
		"TLS, another engine's":   credentials.NewTLS(&tls.Config{InsecureSkipVerify: true, Certificates: strangerCert, MinVersion: tls.VersionTLS13}),
		"TLS 1.2, another engine": credentials.NewTLS(&tls.Config{InsecureSkipVerify: true, Certificates: strangerCert, MaxVersion: tls.VersionTLS12}),
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := grpc.NewClient("passthrough:///plugin",
				grpc.WithTransportCredentials(creds),
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, addr.Network(), addr.String())
				}))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			schema, diags := protocol.NewGRPCClient(conn).GetSchema(ctx)
			if !diags.HasErrors() {
				t.Fatalf("the plugin answered a stranger: %#v", schema)
			}
		})
	}

	// The plugin's private key travelled through a pipe, not its environment.
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", client.Pid()))
	if err != nil {
		t.Skipf("cannot read the plugin's environment: %v", err)
	}
	if strings.Contains(string(environ), "PRIVATE KEY") {
		t.Error("the plugin's environment holds a private key")
	}
	if !strings.Contains(string(environ), protocol.TLSBundleEnv+"=") {
		t.Errorf("the plugin was not told where its TLS bundle is (%s)", protocol.TLSBundleEnv)
	}
}
