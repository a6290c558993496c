package config

import (
	"strings"
	"testing"
)

func TestValidateHealthCheckAndHostnames(t *testing.T) {
	base := func() Config {
		return Config{
			Listen: Listen{HTTP: 80},
			Pools:  []Pool{{Name: "p"}},
			Sites:  []Site{{Name: "a", Pool: "p", Hostnames: []string{"a.example.com"}}},
		}
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string // substring of the error; empty means valid
	}{
		{"valid", func(c *Config) {}, ""},
		{"valid health check", func(c *Config) {
			c.Pools[0].HealthCheck = &HealthCheck{Path: "/healthz", Interval: "5s", Timeout: "1s", ExpectStatus: 200}
		}, ""},
		{"bad interval", func(c *Config) { c.Pools[0].HealthCheck = &HealthCheck{Interval: "5"} }, `server_pool["p"].health_check.interval`},
		{"negative timeout", func(c *Config) { c.Pools[0].HealthCheck = &HealthCheck{Timeout: "-1s"} }, "health_check.timeout"},
		{"relative path", func(c *Config) { c.Pools[0].HealthCheck = &HealthCheck{Path: "healthz"} }, "health_check.path"},
		{"bad status", func(c *Config) { c.Pools[0].HealthCheck = &HealthCheck{ExpectStatus: 42} }, "health_check.expect_status"},
		{"hostname on two sites", func(c *Config) {
			c.Sites = append(c.Sites, Site{Name: "b", Pool: "p", Hostnames: []string{"A.example.com"}})
		}, `already routed to site "a"`},
		{"two default sites", func(c *Config) {
			c.Sites = append(c.Sites, Site{Name: "b", Pool: "p"}, Site{Name: "c", Pool: "p"})
		}, "only one site may omit hostnames"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
