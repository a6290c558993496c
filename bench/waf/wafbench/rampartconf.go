package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// rampartConfig is the rampart-waf configuration for one system: a default site (no
// hostnames, so Host: localhost is served) proxying to the backend, with the policy mode
// "off" (rules off) or "block" (CRS at PL1).
func rampartConfig(listenPort, adminPort int, backend, mode string) *config.Config {
	return &config.Config{
		Listen: config.Listen{Address: "127.0.0.1", HTTP: listenPort},
		Admin:  &config.Admin{Listen: fmt.Sprintf("127.0.0.1:%d", adminPort)},
		Pools: []config.Pool{{
			Name:    "backend",
			Members: []config.Member{{Address: backend}},
		}},
		Sites: []config.Site{{
			Name: "bench",
			Pool: "backend",
			Policy: &config.Policy{
				Mode:              mode,
				ParanoiaLevel:     policy.ParanoiaLevel,
				InboundThreshold:  policy.InboundThreshold,
				OutboundThreshold: policy.OutboundThreshold,
				RequestBodyLimit:  policy.RequestBodyLimit,
				ArgumentsLimit:    policy.ArgumentsLimit,
			},
		}},
		// The benchmark measures throughput at a steady 16 connections, not the overload
		// path: with ~45 ms per JSON POST the default 250 ms queue deadline would answer
		// 503 to requests that nginx simply queues. A long deadline and a queue deeper than
		// the connection count make both WAFs queue alike.
		Inspection: &config.Inspection{QueueLength: 64, QueueTimeout: "30s"},
	}
}

// writeRampartConfig validates c with the runtime's own rules and writes it as JSON.
func writeRampartConfig(path string, c *config.Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode rampart-waf config: %w", err)
	}
	if _, err := config.Parse(data); err != nil {
		return fmt.Errorf("rampart-waf config for the benchmark is invalid: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write rampart-waf config: %w", err)
	}
	return nil
}
