package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// The gateway is set up like Squid: the same single destination and ports, the same
// mapping, the same cache size, interception with the run's CA. The runtime's own
// parser must accept the file.
func TestGatewayConfigMirrorsSquid(t *testing.T) {
	s := fixedSetup(t, t.TempDir())
	path, err := writeGatewayConfig(s, gatewayConfig(s))
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dest := c.Destinations()
	if len(dest) != 1 || dest[0].Destination != originHost {
		t.Fatalf("destinations = %+v, want only %s", dest, originHost)
	}
	if !slices.Equal(dest[0].TunnelPorts, []int{s.OriginTLSPort}) || !slices.Equal(dest[0].HTTPPorts, []int{s.OriginHTTPPort}) {
		t.Errorf("ports = tunnel %v http %v, want [%d] and [%d]", dest[0].TunnelPorts, dest[0].HTTPPorts, s.OriginTLSPort, s.OriginHTTPPort)
	}
	if c.HostMappings[originHost] != "127.0.0.1" {
		t.Errorf("host mapping = %q", c.HostMappings[originHost])
	}
	if got := c.Cache.CacheBytes(1 << 40); got != int64(s.CacheMiB)<<20 {
		t.Errorf("cache bytes = %d, want %d (Squid's cache_mem)", got, int64(s.CacheMiB)<<20)
	}
	if got := c.Cache.MaxObjectBytes(); got != int64(s.MaxObjectMiB)<<20 {
		t.Errorf("max object = %d, want %d (Squid's maximum_object_size_in_memory)", got, int64(s.MaxObjectMiB)<<20)
	}
	if c.CA.Mode != config.CAModeCommon || c.CA.Certificate != string(s.PKI.interceptCA.certPEM) {
		t.Errorf("ca = mode %q; want common with the run's interception CA", c.CA.Mode)
	}
	if c.Listen.Address != "127.0.0.1" {
		t.Errorf("listen address %q, want loopback", c.Listen.Address)
	}
	info, err := os.Stat(filepath.Join(s.Dir, "gateway.json"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("gateway.json mode %v, want 0600 (it holds the CA key)", info.Mode().Perm())
	}
}
