package schema

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Loading runs on every plan, apply and reconcile tick.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, diags := Load("testdata/load/full"); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	}
}

// Decoding runtime bodies runs once per appliance instance per plan.
func BenchmarkDecodeRuntime(b *testing.B) {
	c, diags := Load("testdata/kinds")
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	var waf *Appliance
	for _, a := range c.Appliances {
		if a.Kind == "waf" {
			waf = a
		}
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: Functions(".")}
	for b.Loop() {
		v, diags := hcldec.Decode(waf.Runtime, RuntimeSpec("waf"), ctx)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if diags := ValidateRuntime(waf, v); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	}
}
