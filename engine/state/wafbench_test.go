package state

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/schema"
)

// dockerPlacementType is the Docker provider's placement object type, copied from
// providers/docker/schema.go (placementType): the engine may not import a provider, and
// the type is unexported there. Keep the two in step when the provider's schema grows.
var dockerPlacementType = cty.Object(map[string]cty.Type{
	"image":            cty.String,
	"network":          cty.String,
	"ports":            cty.Map(cty.Number),
	"publish_address":  cty.String,
	"env":              cty.Map(cty.String),
	"memory":           cty.String,
	"cpus":             cty.Number,
	"restart":          cty.String,
	"dockerd_socket":   cty.Bool,
	"memory_swap":      cty.String,
	"pids_limit":       cty.Number,
	"cap_add":          cty.List(cty.String),
	"allow_overcommit": cty.Bool,
	"image_archive":    cty.String,
	"managed_network":  cty.List(cty.Object(map[string]cty.Type{"name": cty.String, "subnet": cty.String, "internal": cty.Bool})),
	"volume":           cty.List(cty.Object(map[string]cty.Type{"source": cty.String, "target": cty.String, "read_only": cty.Bool})),
	"container_id":     cty.String,
	"container_name":   cty.String,
	"image_id":         cty.String,
	"image_ref":        cty.String,
	"address":          cty.String,
})

// objectOf returns a value of the object type ty with the attributes in set and every
// other attribute null, the way a decoded HCL block with few settings looks.
func objectOf(ty cty.Type, set map[string]cty.Value) cty.Value {
	attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
	for name, aty := range ty.AttributeTypes() {
		attrs[name] = cty.NullVal(aty)
	}
	for name, v := range set {
		if !ty.HasAttribute(name) {
			panic(fmt.Sprintf("objectOf: %#v has no attribute %q", ty, name))
		}
		attrs[name] = v
	}
	return cty.ObjectVal(attrs)
}

// listOfOne is a list block holding one object of its element type.
func listOfOne(listType cty.Type, set map[string]cty.Value) cty.Value {
	return cty.ListVal([]cty.Value{objectOf(listType.ElementType(), set)})
}

// wafDockerInstance is a WAF instance as the engine records it after the Docker provider
// applied it: the runtime value has the full WAF schema type (every block and attribute
// the runtime accepts, nearly all null) and the placement the docker block's type, with
// its sensitive env map null.
func wafDockerInstance(i int) *Instance {
	rt := schema.RuntimeType("waf")
	pool := rt.AttributeType("server_pool")
	site := rt.AttributeType("site")
	runtime := objectOf(rt, map[string]cty.Value{
		"listen": objectOf(rt.AttributeType("listen"), map[string]cty.Value{"http": cty.NumberIntVal(80)}),
		"admin":  objectOf(rt.AttributeType("admin"), map[string]cty.Value{"listen": cty.StringVal("127.0.0.1:9901")}),
		"server_pool": listOfOne(pool, map[string]cty.Value{
			"name":   cty.StringVal("app"),
			"member": listOfOne(pool.ElementType().AttributeType("member"), map[string]cty.Value{"address": cty.StringVal(fmt.Sprintf("10.1.%d.%d:8080", i/250, i%250+1))}),
		}),
		"site": listOfOne(site, map[string]cty.Value{
			"name":   cty.StringVal("shop"),
			"pool":   cty.StringVal("app"),
			"policy": objectOf(site.ElementType().AttributeType("policy"), map[string]cty.Value{"mode": cty.StringVal("off")}),
		}),
	})
	placement := objectOf(dockerPlacementType, map[string]cty.Value{
		"ports":           cty.MapVal(map[string]cty.Value{"80": cty.NumberIntVal(int64(20000 + i))}),
		"managed_network": listOfOne(dockerPlacementType.AttributeType("managed_network"), map[string]cty.Value{"name": cty.StringVal("rampart_bench")}),
		"env":             cty.NullVal(cty.Map(cty.String)).Mark(protocol.SensitiveMark),
		"container_id":    cty.StringVal(fmt.Sprintf("%064x", 0xc0ffee0000+i)),
		"container_name":  cty.StringVal(fmt.Sprintf("rampart-waf-w%d", i)),
		"image_id":        cty.StringVal("sha256:" + fmt.Sprintf("%064x", 0xbeef)),
		"image_ref":       cty.StringVal("rampart/waf:0.1.0-1a2b3c4d5e6f"),
		"address":         cty.StringVal(fmt.Sprintf("172.18.%d.%d", i/250, i%250+2)),
	})
	return &Instance{
		Address: fmt.Sprintf("waf.w[%d]", i), Kind: "waf", Provider: "provider.docker", Placement: "docker", SchemaVersion: 1,
		Value: cty.ObjectVal(map[string]cty.Value{"runtime": runtime, "placement": placement}),
	}
}

// wafDockerState is the state of a 200-container Docker deployment (issue 4's N = 200).
func wafDockerState(n int) *State {
	s := NewState()
	s.Serial = 7
	for i := range n {
		s.SetInstance(wafDockerInstance(i))
	}
	return s
}

// BenchmarkDecode200WAFDocker measures loading the state a no-change plan of 200 WAF
// containers starts from.
func BenchmarkDecode200WAFDocker(b *testing.B) {
	key := testKey(b)
	data, err := wafDockerState(200).Encode(key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, key); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "doc-bytes")
}

// TestWAFDockerStateRoundTrip: the realistic benchmark state decodes to exactly what was
// encoded, so the benchmark measures a correct decode.
func TestWAFDockerStateRoundTrip(t *testing.T) {
	key := testKey(t)
	want := wafDockerState(20)
	data, err := want.Encode(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffStates(want, got); diff != "" {
		t.Fatal(diff)
	}
}
