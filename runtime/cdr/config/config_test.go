package config

import (
	"strings"
	"testing"
)

func TestParseAppliesDefaults(t *testing.T) {
	cfg, err := Parse([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen.Address != "127.0.0.1" || cfg.Listen.VXLAN != 4789 || cfg.Listen.Health != 0 || cfg.Listen.Interface != "" {
		t.Errorf("listen %+v: want loopback, 4789, no health port, no interface", cfg.Listen)
	}
	if f := cfg.Flows; f.MaxFlows != DefaultMaxFlows || f.IdleTimeout != "60s" || f.AttemptTimeout != "5s" {
		t.Errorf("flows %+v", f)
	}
	if cfg.ServiceAddress() != "udp://127.0.0.1:4789" || cfg.AdminListen() != DefaultAdminListen {
		t.Errorf("service %s admin %s", cfg.ServiceAddress(), cfg.AdminListen())
	}
}

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		json, field string
	}{
		{`{"listen": {"vxlan": 70000}}`, "listen.vxlan"},
		{`{"listen": {"health": 4789}}`, "listen.health"},
		{`{"listen": {"address": "sensor.local"}}`, "listen.address"},
		{`{"listen": {"interface": "eth0 eth1"}}`, "listen.interface"},
		{`{"filter": {"vnis": [16777216]}}`, "filter.vnis[0]"},
		{`{"flows": {"max_flows": -1}}`, "flows.max_flows"},
		{`{"flows": {"active_timeout": "-5m"}}`, "flows.active_timeout"},
		{`{"listen": {"port": 1}}`, "unknown field"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want an error naming %s", tc.json, err, tc.field)
		}
	}
}

func TestRestartFields(t *testing.T) {
	prev, _ := Parse([]byte(`{"listen": {"vxlan": 4789}, "filter": {"vnis": [1]}}`))
	next, _ := Parse([]byte(`{"listen": {"vxlan": 4789, "health": 4790}, "filter": {"vnis": [2]}}`))
	if got := next.RestartFields(prev); len(got) != 1 || got[0] != "listen" {
		t.Errorf("RestartFields = %v, want [listen] (the VNI filter reloads)", got)
	}
}
