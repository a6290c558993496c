package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

var rampartSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "required_version"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
}

func (d *decoder) rampart(block *hcl.Block) hcl.Diagnostics {
	if prev := d.config.Rampart; prev != nil {
		return hcl.Diagnostics{duplicate("Duplicate rampart block", "A rampart block", prev.DeclRange, block.DefRange,
			"Merge the settings into one rampart block.")}
	}
	r := &Rampart{DeclRange: block.DefRange}
	d.config.Rampart = r
	content, diags := block.Body.Content(rampartSchema)
	if attr, ok := content.Attributes["required_version"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &r.RequiredVersion)...)
	}
	for _, b := range content.Blocks {
		if r.Backend != nil {
			diags = append(diags, duplicate("Duplicate backend block", fmt.Sprintf("A backend %q", r.Backend.Type),
				r.Backend.DeclRange, b.DefRange, "State lives in one backend; keep one backend block."))
			continue
		}
		r.Backend = &Backend{Type: b.Labels[0], Body: orderedBody{b.Body}, DeclRange: b.DefRange}
	}
	return diags
}
