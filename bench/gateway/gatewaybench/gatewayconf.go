package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// gatewayConfig is the rampart-gateway configuration of the run: only originHost allowed
// (tunnels to its TLS port, plain HTTP to its HTTP port; it maps to 127.0.0.1, so
// allow_private), interception with the run's CA in "common" mode, the origin CA trusted
// for origins, and the memory cache of s. Everything else keeps its default.
func gatewayConfig(s setup) *config.Config {
	return &config.Config{
		Listen:           config.Listen{Address: "127.0.0.1", Proxy: s.ProxyPort, Cache: s.CachePort},
		Admin:            &config.Admin{Listen: loopback(s.AdminPort)},
		NoDefaultDomains: true,
		Allow: []config.Allow{{
			Destination:  originHost,
			TunnelPorts:  []int{s.OriginTLSPort},
			HTTPPorts:    []int{s.OriginHTTPPort},
			AllowPrivate: true,
		}},
		HostMappings: map[string]string{originHost: "127.0.0.1"},
		CA: &config.CA{
			Mode:           config.CAModeCommon,
			Certificate:    string(s.PKI.interceptCA.certPEM),
			PrivateKey:     string(s.PKI.interceptCA.keyPEM),
			OriginCABundle: string(s.PKI.originCA.certPEM),
		},
		Cache: &config.Cache{
			Size:          fmt.Sprintf("%dMB", s.CacheMiB),
			MaxObjectSize: fmt.Sprintf("%dMB", s.MaxObjectMiB),
		},
	}
}

// writeGatewayConfig writes c as JSON to s.Dir/gateway.json after checking it with the
// runtime's own parser, so a configuration the gateway would refuse fails here, clearly.
func writeGatewayConfig(s setup, c *config.Config) (string, error) {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode rampart-gateway config: %w", err)
	}
	if _, err := config.Parse(data); err != nil {
		return "", fmt.Errorf("the benchmark's rampart-gateway config is invalid: %w", err)
	}
	path := filepath.Join(s.Dir, "gateway.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}
