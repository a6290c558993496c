package config

import (
	"strings"
	"testing"
)

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string // substring of the error; "" means valid
	}{
		{"defaults", `{}`, ""},
		{"full", `{"allowed_domains": ["a.example.com", ".example.org"],
			"allow": [{"destination": "10.0.0.0/8", "tunnel_ports": [443]}, {"destination": "x.test", "allow_private": true}],
			"upstream_proxy": {"url": "http://u:p@proxy.corp:3128", "bypass": [".corp"]},
			"host_mappings": {"repo.test": "10.0.0.7"}, "tls_min_version": "1.3",
			"allowed_clients": ["10.0.0.0/8", "192.168.1.5"], "timeouts": {"idle": "2m"}}`, ""},
		{"proxy port out of range", `{"listen": {"proxy": 70000}}`, "listen.proxy: port 70000 is out of range 1-65535"},
		{"reserved proxy port", `{"listen": {"proxy": 22}}`, "listen.proxy: port 22 is reserved"},
		{"reserved cache port range", `{"listen": {"cache": 48083}}`, "listen.cache: port 48083 is reserved"},
		{"same ports", `{"listen": {"proxy": 3128, "cache": 3128}}`, "listen.cache: port 3128 is also listen.proxy"},
		{"reserved allow port", `{"allow": [{"destination": "a.test", "http_ports": [7001]}]}`, `allow["a.test"].http_ports[0]: port 7001 is reserved`},
		{"etcd tunnel port", `{"allow": [{"destination": "a.test", "tunnel_ports": [443, 4001]}]}`, `allow["a.test"].tunnel_ports[1]: port 4001 is reserved`},
		{"wildcard", `{"allowed_domains": ["*.example.com"]}`, `allowed_domains[0]: "*.example.com": write ".example.com"`},
		{"URL as domain", `{"allowed_domains": ["https://example.com"]}`, `allowed_domains[0]:`},
		{"duplicate allow", `{"allow": [{"destination": "a.test"}, {"destination": "A.test"}]}`, "declared twice"},
		{"bad mapping", `{"host_mappings": {"repo.test": "not-an-ip"}}`, `host_mappings["repo.test"]: "not-an-ip" is not an IP address`},
		{"TLS version", `{"tls_min_version": "1.4"}`, `tls_min_version: "1.4" is not one of 1.0, 1.1, 1.2, 1.3`},
		{"client CIDR", `{"allowed_clients": ["10.0.0.0/33"]}`, "allowed_clients[0]"},
		{"timeout", `{"timeouts": {"half_closed": "5"}}`, `timeouts.half_closed: "5" is not a positive duration`},
		{"proxy scheme", `{"upstream_proxy": {"url": "socks5://u:topsecret@h:1080"}}`, `upstream_proxy.url: scheme "socks5" is not supported`},
		{"proxy port reserved", `{"upstream_proxy": {"url": "http://u:topsecret@h:23"}}`, "upstream_proxy.url: port 23 is reserved"},
		{"unknown field", `{"allowed_domain": ["a.test"]}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Fatalf("the error repeats the proxy password: %v", err)
			}
		})
	}
}

func TestDefaultsAndDestinations(t *testing.T) {
	c, err := Parse([]byte(`{"allowed_domains": ["a.test"], "allow": [{"destination": "b.test", "tunnel_ports": [8443]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen.Address != "127.0.0.1" || c.Listen.Proxy != 1080 || c.Listen.Cache != 8080 || c.AdminListen() != "127.0.0.1:9911" || c.TLSMinVersion != "1.2" {
		t.Fatalf("defaults: %+v admin %s tls %s", c.Listen, c.AdminListen(), c.TLSMinVersion)
	}
	d := c.Destinations()
	if len(d) != len(DefaultDomains)+2 {
		t.Fatalf("%d destinations, want defaults + 2", len(d))
	}
	last := d[len(d)-1]
	if last.Destination != "b.test" || len(last.HTTPPorts) != 0 || last.TunnelPorts[0] != 8443 {
		t.Fatalf("allow block with tunnel_ports only: %+v (plain HTTP must stay closed)", last)
	}
	c.NoDefaultDomains = true
	if got := len(c.Destinations()); got != 2 {
		t.Fatalf("no_default_domains: %d destinations, want 2", got)
	}
}
