package docker

import (
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

func TestContainerName(t *testing.T) {
	tests := []struct {
		address, lineage, want string
	}{
		{"waf.shop", "0123456789abcdef", "rampart-waf.shop-01234567"},
		{`waf.edge["eu"]`, "abc", "rampart-waf.edge--eu-abc"},
		{"scanner.dmz[0]", "", "rampart-scanner.dmz-0"},
	}
	for _, tt := range tests {
		if got := containerName(protocol.Instance{Address: tt.address, Lineage: tt.lineage}); got != tt.want {
			t.Errorf("containerName(%q, %q) = %q, want %q", tt.address, tt.lineage, got, tt.want)
		}
	}
}

func TestPortBindings(t *testing.T) {
	ports := cty.MapVal(map[string]cty.Value{"8443": cty.NumberIntVal(443)})
	exposed, bindings, err := portBindings(ports, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := exposed["443/tcp"]; !ok || len(bindings["443/tcp"]) != 1 ||
		bindings["443/tcp"][0].HostIP != "127.0.0.1" || bindings["443/tcp"][0].HostPort != "8443" {
		t.Errorf("exposed %v, bindings %v", exposed, bindings)
	}
	for _, bad := range []cty.Value{
		cty.MapVal(map[string]cty.Value{"x": cty.NumberIntVal(80)}),
		cty.MapVal(map[string]cty.Value{"80": cty.NumberIntVal(70000)}),
		cty.MapVal(map[string]cty.Value{"80": cty.NumberFloatVal(80.5)}),
	} {
		if _, _, err := portBindings(bad, "127.0.0.1"); err == nil {
			t.Errorf("portBindings(%#v) accepted an invalid port", bad)
		}
	}
}
