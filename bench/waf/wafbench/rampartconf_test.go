package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestRampartConfigIsValidAndMatchesThePolicy(t *testing.T) {
	for _, mode := range []string{"off", "block"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "waf.json")
			if err := writeRampartConfig(path, rampartConfig(18081, 18082, "127.0.0.1:18080", mode)); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(path) // the runtime's own loader and validation
			if err != nil {
				t.Fatal(err)
			}
			if c.Listen.Address != "127.0.0.1" || c.Listen.HTTP != 18081 || c.AdminListen() != "127.0.0.1:18082" {
				t.Errorf("listens on %s:%d, admin %s; want loopback only", c.Listen.Address, c.Listen.HTTP, c.AdminListen())
			}
			if len(c.Sites) != 1 || len(c.Sites[0].Hostnames) != 0 {
				t.Fatalf("want one default site (serving Host: localhost), got %+v", c.Sites)
			}
			p := c.Sites[0].Policy
			if p.Mode != mode || p.ParanoiaLevel != 1 || p.InboundThreshold != 5 {
				t.Errorf("policy = %+v, want mode %s, PL1, inbound threshold 5", p, mode)
			}
			if got := c.Pools[0].Members[0].Address; got != "127.0.0.1:18080" {
				t.Errorf("backend = %s", got)
			}
		})
	}
}

func TestWriteRampartConfigRefusesAnInvalidConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waf.json")
	if err := writeRampartConfig(path, rampartConfig(18081, 18082, "127.0.0.1:18080", "loud")); err == nil {
		t.Error("a config with policy mode \"loud\" was written")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("invalid config left a file behind (%v)", err)
	}
}
