package config

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512MB", 512 << 20, true}, {"2GB", 2 << 30, true}, {"10G", 10 << 30, true}, {"1.5TB", 3 << 39, true},
		{"64kb", 64 << 10, true}, {"4096", 4096, true}, {"1GiB", 1 << 30, true},
		{"", 0, false}, {"lots", 0, false}, {"-1GB", 0, false}, {"9999999TB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestValidateCacheSettings: each mistake is reported with its field path.
func TestValidateCacheSettings(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" means valid
	}{
		{"defaults", Config{}, ""},
		{"appliance with a key", Config{CA: &CA{PrivateKey: "-----BEGIN PRIVATE KEY-----"}}, "ca.mode"},
		{"common without key", Config{CA: &CA{Mode: "common", Certificate: "-----BEGIN CERTIFICATE-----"}}, "ca: mode \"common\" needs"},
		{"unknown mode", Config{CA: &CA{Mode: "byo"}}, "ca.mode"},
		{"too big", Config{CA: &CA{Mode: "custom", Certificate: strings.Repeat("c", MaxPEMBytes+1), PrivateKey: "-----BEGIN PRIVATE KEY-----"}}, "3 MB"},
		{"encrypted key", Config{CA: &CA{Mode: "common", Certificate: "-----BEGIN CERTIFICATE-----", PrivateKey: "-----BEGIN ENCRYPTED PRIVATE KEY-----"}}, "ca.private_key: is encrypted"},
		{"bad bundle", Config{CA: &CA{OriginCABundle: "nope"}}, "ca.origin_ca_bundle"},
		{"percent", Config{Cache: &Cache{MemoryPercent: 95}}, "cache.memory_percent"},
		{"size", Config{Cache: &Cache{Size: "big"}}, "cache.size"},
		{"rule regexp", Config{Cache: &Cache{RefreshRules: []RefreshRule{{Pattern: "("}}}}, "cache.refresh_rule[0].pattern"},
		{"rule duration", Config{Cache: &Cache{RefreshRules: []RefreshRule{{Pattern: "x", Min: "7d"}}}}, "cache.refresh_rule[0].min"},
		{"rule min over max", Config{Cache: &Cache{RefreshRules: []RefreshRule{{Pattern: "x", Min: "2h", Max: "1h"}}}}, "longer than max"},
		{"patch relative dir", Config{Patch: &Patch{Directory: "cache"}}, "patch.directory"},
		{"patch cidr", Config{Patch: &Patch{Directory: "/p", AllowedClients: []string{"10.0.0.1"}}}, "patch.allowed_clients[0]"},
		{"patch pattern", Config{Patch: &Patch{Directory: "/p", URLPatterns: []string{"[a"}}}, "patch.url_patterns[0]"},
		{"patch ok", Config{Patch: &Patch{Directory: "/srv/patch", Size: "250GB", AllowedClients: []string{"10.0.0.0/8"}}}, ""},
	}
	for _, tt := range tests {
		c := tt.cfg
		ApplyCacheDefaults(&c)
		errs := ValidateCacheSettings(&c)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%s: unexpected errors %v", tt.name, errs)
		case tt.want != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.want)):
			t.Errorf("%s: errors %v, want one containing %q", tt.name, errs, tt.want)
		}
	}
}

func TestCacheDefaults(t *testing.T) {
	c := Config{AllowedClients: []string{"10.1.0.0/16"}, Patch: &Patch{Directory: "/p"}}
	ApplyCacheDefaults(&c)
	if c.CA.Mode != CAModeAppliance || c.Cache.MemoryPercent != 40 || c.Patch.AllowedClients[0] != "10.1.0.0/16" {
		t.Errorf("defaults: ca %+v cache %+v patch %+v", c.CA, c.Cache, c.Patch)
	}
	if got := c.Cache.CacheBytes(10 << 30); got != 4<<30 {
		t.Errorf("CacheBytes(10 GB) = %d, want 40%% = %d", got, int64(4<<30))
	}
	if got := (&Cache{Size: "1GB"}).CacheBytes(10 << 30); got != 1<<30 {
		t.Errorf("size overrides the percentage: %d", got)
	}
}
