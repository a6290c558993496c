package local

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart/internal/freeport"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// wafRuntimeType is the shape the schema package gives a `waf` block: the JSON/HCL names
// of runtime/waf/config, nested blocks as lists (repeatable) or objects (single).
var wafRuntimeType = cty.Object(map[string]cty.Type{
	"listen": cty.Object(map[string]cty.Type{"address": cty.String, "http": cty.Number, "https": cty.Number}),
	"admin":  cty.Object(map[string]cty.Type{"listen": cty.String}),
	"server_pool": cty.List(cty.Object(map[string]cty.Type{
		"name":           cty.String,
		"load_balancing": cty.String,
		"member":         cty.List(cty.Object(map[string]cty.Type{"address": cty.String, "weight": cty.Number})),
		"health_check": cty.Object(map[string]cty.Type{
			"path": cty.String, "interval": cty.String, "timeout": cty.String, "expect_status": cty.Number,
		}),
	})),
	"site": cty.List(cty.Object(map[string]cty.Type{
		"name":      cty.String,
		"hostnames": cty.List(cty.String),
		"pool":      cty.String,
		"policy":    cty.Object(map[string]cty.Type{"mode": cty.String, "paranoia_level": cty.Number}),
	})),
	"events": cty.Object(map[string]cty.Type{"syslog": cty.String}),
})

// wafConfig describes a test WAF configuration.
type wafConfig struct {
	httpPort  int
	adminPort int
	upstream  string // host:port of the pool's member
	hostnames []string
}

// runtimeValue builds the runtime value the engine would send for c, with every optional
// attribute the user did not set left null.
func (c wafConfig) runtimeValue() cty.Value {
	obj := func(t cty.Type, attrs map[string]cty.Value) cty.Value {
		full := map[string]cty.Value{}
		for name, at := range t.AttributeTypes() {
			full[name] = cty.NullVal(at)
		}
		for name, v := range attrs {
			full[name] = v
		}
		return cty.ObjectVal(full)
	}
	poolType := wafRuntimeType.AttributeType("server_pool").ElementType()
	siteType := wafRuntimeType.AttributeType("site").ElementType()
	memberType := poolType.AttributeType("member").ElementType()
	hostnames := cty.ListValEmpty(cty.String)
	if len(c.hostnames) > 0 {
		var hs []cty.Value
		for _, h := range c.hostnames {
			hs = append(hs, cty.StringVal(h))
		}
		hostnames = cty.ListVal(hs)
	}
	return obj(wafRuntimeType, map[string]cty.Value{
		"listen": obj(wafRuntimeType.AttributeType("listen"), map[string]cty.Value{"http": cty.NumberIntVal(int64(c.httpPort))}),
		"admin": obj(wafRuntimeType.AttributeType("admin"), map[string]cty.Value{
			"listen": cty.StringVal(fmt.Sprintf("127.0.0.1:%d", c.adminPort)),
		}),
		"server_pool": cty.ListVal([]cty.Value{obj(poolType, map[string]cty.Value{
			"name":   cty.StringVal("app"),
			"member": cty.ListVal([]cty.Value{obj(memberType, map[string]cty.Value{"address": cty.StringVal(c.upstream)})}),
		})}),
		"site": cty.ListVal([]cty.Value{obj(siteType, map[string]cty.Value{
			"name":      cty.StringVal("shop"),
			"hostnames": hostnames,
			"pool":      cty.StringVal("app"),
		})}),
	})
}

// placementConfig is a `local { }` block as the engine sends it: computed attributes null.
func placementConfig(binary string, env map[string]string) cty.Value {
	attrs := map[string]cty.Value{}
	for name, t := range placementType.AttributeTypes() {
		attrs[name] = cty.NullVal(t)
	}
	if binary != "" {
		attrs[attrBinary] = cty.StringVal(binary)
	}
	if env != nil {
		m := map[string]cty.Value{}
		for k, v := range env {
			m[k] = cty.StringVal(v)
		}
		attrs[attrEnv] = cty.MapValEmpty(cty.String)
		if len(m) > 0 {
			attrs[attrEnv] = cty.MapVal(m)
		}
	}
	return cty.ObjectVal(attrs)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int { return freeport.Port(t) }

// fakeBinary writes an executable file named name with the given content, enough for Plan,
// which only finds and hashes the binary.
func fakeBinary(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func wafInstance(address string) protocol.Instance {
	return protocol.Instance{Address: address, Kind: "waf", Placement: PlacementType, Lineage: "test-lineage"}
}

// testPlacement is a placement with its state in a temporary directory.
func testPlacement(t testing.TB) *placement {
	t.Helper()
	p := newPlacement()
	p.stateDir.set(t.TempDir())
	return p
}

// noProgress discards progress lines.
func noProgress(string, ...any) {}

func mustNoErrors(t testing.TB, diags protocol.Diagnostics) {
	t.Helper()
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags.Err())
	}
}
